from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", pgettext_lazy("channel", "Email")


class Category(models.TextChoices):
    """Service messages (debit reminders, dunning, contract notices) are exempt from the marketing cap."""

    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")


class MessageStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    # The carrier's receipt came back: the phone got it (SMS only; email and in-app stay "sent").
    DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
    # The provider said "not now" (flow control, its own error, no answer): sent again later.
    RETRYING = "retrying", _("Waiting to retry")
    SUPPRESSED = "suppressed", _("Suppressed (frequency cap)")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    topic = models.CharField(max_length=40)  # debit_reminder, dunning_sms, renewal_offer, winback, ...
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # One message per purpose: a rerun of the job that sends it finds it here.
    dedupe_key = models.CharField(max_length=160, unique=True)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    backend = models.CharField(max_length=80, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    # The provider's id of the sent message (Aliyun's BizId, the ESP's message id).
    provider_ref = models.CharField(max_length=100, blank=True)
    # Attempts at the provider, the next one's time while retrying, and the carrier's receipt.
    # Database defaults: the batched COPY insert names only the columns a new message fills.
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "category", "created_at"], name="message_cap_idx"),
            # The retry and receipt runs read only messages still in flight.
            models.Index(
                fields=["status", "created_at"], name="message_in_flight_idx",
                condition=models.Q(status__in=["sent", "retrying"], channel="sms"),
            ),
        ]  # fmt: skip


class MessagingSettings(models.Model):
    """The shop's messaging rules (one row, pk 1, per shop schema)."""

    # Marketing messages a customer gets per day (Beijing time); service messages are never capped.
    marketing_messages_per_day = models.PositiveSmallIntegerField(_("marketing messages per day"), default=1)
