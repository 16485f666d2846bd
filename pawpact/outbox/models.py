from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxEvent(models.Model):
    """A fact the platform needs, written in the same transaction as the fact itself,
    drained into public tables by the platform layer."""

    kind = models.CharField(max_length=40)
    aggregate_uuid = models.UUIDField(db_index=True)
    payload = models.JSONField()
    # The mode of the record the fact is about: a live platform takes in live facts only.
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # The shop's own subscribers of this fact have yet to run: they run after the commit, in a
    # task, rather than in the request that made the fact (pawpact.outbox.services.shop_reactions_run).
    # A database default too: set-based inserts (the debit run's) leave the column out.
    reactions_pending = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(published_at__isnull=True), name="outbox_unpublished_idx"),
            models.Index(fields=["id"], condition=Q(reactions_pending=True), name="outbox_reactions_pending_idx"),
        ]


class WebhookEndpoint(models.Model):
    """A developer's URL that receives the shop's events, signed with its own secret.

    An endpoint is born in the shop's mode (`livemode`) and receives only events of records
    of that mode: a test endpoint never sees live customers' contracts, nor the reverse.
    """

    uuid = models.UUIDField(unique=True, editable=False)
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    # The signing secret, encrypted (pawpact.tenants.secrets); shown once, at creation.
    secret_ciphertext = models.TextField()
    livemode = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # The last outbox event looked at: deliveries are made for later ones only.
    cursor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]


class WebhookDelivery(models.Model):
    """One event for one endpoint: every attempt until it is answered 2xx or three days pass."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not delivered yet")
        SUCCEEDED = "succeeded", pgettext_lazy("webhook", "Delivered")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due_idx"
            )
        ]
