"""A customer's request to have the paid part of their stored value refunded: the shop's
staff see it, refund at the counter or through the back office, then close it (or decline it
with a reason the customer reads)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.customers.models import Customer


class RefundRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the shop")
    HANDLED = "handled", _("Handled")
    DECLINED = "declined", _("Declined")


class StoredValueRefundRequest(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    paid_minor = models.BigIntegerField()  # the paid part when asked: what the customer expects back
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=RefundRequestStatus.choices, default=RefundRequestStatus.OPEN)
    answer = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status="open"), name="loyalty_one_open_sv_request"),
            models.CheckConstraint(condition=Q(paid_minor__gt=0), name="loyalty_sv_request_positive"),
        ]
