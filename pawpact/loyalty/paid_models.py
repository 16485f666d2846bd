"""Paid membership (付费会员): the shop's membership plans, the customers' memberships and
every charge made for them.

Imported by pawpact.loyalty.models so Django registers them with the loyalty app.
"""
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.billing.models import PaymentMethod
from pawpact.customers.models import Customer


class PaidPlan(models.Model):
    """A membership the shop sells (e.g. ¥9.9 a month, ¥99 or ¥399 a year) and what it gives."""

    name = models.CharField(_("name"), max_length=40)
    price_minor = models.BigIntegerField(_("price"))
    months = models.PositiveSmallIntegerField(_("billing period (months)"), default=1)
    goods_discount_percent = models.PositiveSmallIntegerField(_("goods discount (%)"), default=0)
    points_multiplier = models.DecimalField(_("points multiplier"), max_digits=4, decimal_places=2, default=1)
    free_services_per_month = models.PositiveSmallIntegerField(_("free services per month"), default=0)
    member_day_extra_percent = models.PositiveSmallIntegerField(_("extra discount on member day (%)"), default=0)
    trial_days = models.PositiveSmallIntegerField(_("free trial days"), default=0)
    # The shop's refund rule: cancelled within this many days of a paid period's start, that
    # period is refunded in full and the membership ends at once; 0: no refunds.
    refund_days = models.PositiveSmallIntegerField(_("full refund when cancelled within (days)"), default=0)
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-active", "price_minor", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="loyalty_paid_plan_price_gt_0"),
            models.CheckConstraint(condition=Q(months__in=(1, 3, 12)), name="loyalty_paid_plan_months"),
            models.CheckConstraint(condition=Q(goods_discount_percent__lte=90, member_day_extra_percent__lte=90),
                                   name="loyalty_paid_plan_discounts_le_90"),
            models.CheckConstraint(condition=Q(points_multiplier__gte=1), name="loyalty_paid_plan_multiplier_ge_1"),
            models.CheckConstraint(condition=Q(trial_days__lte=31, refund_days__lte=31), name="loyalty_paid_plan_days_le_31"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class PaidStatus(models.TextChoices):
    PAYING = "paying", _("Paying")
    TRIALING = "trialing", _("Free trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Renewal failed: retrying")
    ENDED = "ended", _("Ended")
    REFUNDED = "refunded", _("Cancelled and refunded")
    LAPSED = "lapsed", _("Lapsed: renewal not paid")
    FAILED = "failed", _("Payment failed")


# A member enjoys the benefits in these states (a failed renewal keeps them while it is retried).
LIVE = (PaidStatus.TRIALING, PaidStatus.ACTIVE, PaidStatus.PAST_DUE)


class PaidMembership(models.Model):
    """One customer's membership of one plan. `period_end` is the first day not covered;
    `cancel_at_period_end` ends it there instead of renewing. One live membership per
    customer and one free trial per customer ever (the database says both)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="paid_memberships")
    plan = models.ForeignKey(PaidPlan, on_delete=models.PROTECT, related_name="memberships")
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="+")
    request_key = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=PaidStatus.choices, default=PaidStatus.PAYING)
    is_trial = models.BooleanField(default=False)
    period_start = models.DateField()
    period_end = models.DateField()
    cancel_at_period_end = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    failed_renewals = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "period_end"], name="loyalty_paid_due")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "request_key"], name="loyalty_paid_request_unique"),
            models.UniqueConstraint(fields=["customer"], condition=Q(status__in=("paying", *LIVE)),
                                    name="loyalty_paid_one_live"),
            models.UniqueConstraint(fields=["customer"], condition=Q(is_trial=True), name="loyalty_paid_one_trial"),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="loyalty_paid_period"),
        ]  # fmt: skip

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


class ChargeStatus(models.TextChoices):
    PAYING = "paying", _("Paying")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PaidCharge(models.Model):
    """One attempt to charge one period of a membership. The row and its `charge_key` are
    committed before the rail is called, so a rerun asks the rail under the same key and
    money never moves twice; at most one charge per period is paid (the database says so)."""

    membership = models.ForeignKey(PaidMembership, on_delete=models.PROTECT, related_name="charges")
    # The method the charge was sent to: a rerun asks that one again under the key, and a refund
    # goes back there, even after the member changed the method renewals use.
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, null=True, related_name="+")
    period_start = models.DateField()
    attempt = models.PositiveSmallIntegerField(default=1)
    amount_minor = models.BigIntegerField()
    charge_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=8, choices=ChargeStatus.choices, default=ChargeStatus.PAYING)
    outcome = models.CharField(max_length=60, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A refund asked for (the key committed before the rail is called) and when it was confirmed.
    refund_key = models.CharField(max_length=140, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "period_start", "attempt"], name="loyalty_paid_charge_attempt"),
            models.UniqueConstraint(fields=["membership", "period_start"], condition=Q(status="paid"),
                                    name="loyalty_paid_charge_once"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="loyalty_paid_charge_positive"),
        ]  # fmt: skip
