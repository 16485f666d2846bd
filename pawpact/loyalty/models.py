"""What keeps a customer: the exit survey and the win-back offer (tiers, points and coupons come next)."""
from django.db import models
from django.utils import timezone

from pawpact.billing.models import Contract
from pawpact.customers.models import Customer


class WinBackOffer(models.Model):
    """For a terminated customer: first month at a discount if they sign again."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="winback_offers")
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="winback_offer")
    code = models.CharField(max_length=24, unique=True)
    discount_rate = models.DecimalField(max_digits=4, decimal_places=3)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="redeemed_winback"
    )


class SurveyResponse(models.Model):
    """The exit survey a terminated customer receives, and their answers."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="exit_survey")
    token = models.CharField(max_length=48, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5
    answers = models.JSONField(default=dict)
