"""Referrals, the points mall and stored value (储值): their tables.

Kept apart from models.py so the tier and coupon tables evolve without touching these;
models.py imports this module so Django registers them under the loyalty app.
"""
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pawpact.billing.models import Contract, PaymentMethod
from pawpact.customers.models import Customer
from pawpact.payments.models import RailAnswer

# --- Referrals ------------------------------------------------------------------------------------


class ReferralCode(models.Model):
    """A customer's own code, shared as a link and a QR."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="referral_code")
    code = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a signed plan")
    CONVERTED = "converted", _("Signed a plan")


class Referral(models.Model):
    """A newcomer who came with a customer's code; referred once, rewarded once."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referrer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="referrals_made")
    referred = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="referral")
    code = models.CharField(max_length=12)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deposit_discount_minor = models.BigIntegerField(default=0)
    referrer_points = models.BigIntegerField(default=0)
    referrer_credit_minor = models.BigIntegerField(default=0)  # 0 until a contract of the referrer took it
    created_at = models.DateTimeField(default=timezone.now)
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(referrer=models.F("referred")), name="loyalty_referral_not_self"),
        ]


class WalletCharge(RailAnswer):
    """A charge loyalty sends to a rail on the customer's saved method (none: cash at the
    counter), with the rail's answer."""

    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


# --- Points mall ------------------------------------------------------------------------------------


class MallItem(models.Model):
    """A reward in the points mall: the shop's own gift with its own stock, priced in
    points or points plus cash."""

    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("points"))
    cash_minor = models.BigIntegerField(_("cash part"), default=0)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["points", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cash_minor__gte=0), name="loyalty_mall_cash_ge_0"),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_mall_points_gt_0"),
        ]


class RedemptionStatus(models.TextChoices):
    PAYING = "paying", _("Paying the cash part")
    REDEEMED = "redeemed", _("Redeemed")
    FAILED = "failed", _("Payment failed: points returned")
    HANDED_OVER = "handed_over", _("Handed over")


class Redemption(WalletCharge):
    """One redemption: points deducted and stock reserved at once; the cash part is charged
    under `charge_key` (committed before the rail is called), so a retry never charges twice."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(MallItem, on_delete=models.PROTECT, related_name="redemptions")
    item_name = models.CharField(max_length=80)
    points = models.PositiveIntegerField()
    cash_minor = models.BigIntegerField(default=0)
    request_key = models.CharField(max_length=80)
    charge_key = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=12, choices=RedemptionStatus.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "request_key"], name="loyalty_redemption_request_unique"),
        ]


# --- Stored value -------------------------------------------------------------------------------------


class SpendOrder(models.TextChoices):
    PAID_FIRST = "paid_first", _("Paid value first")
    GIFT_FIRST = "gift_first", _("Gift value first")


class StoredValueRules(models.Model):
    """The shop's stored-value rules (one row)."""

    spend_order = models.CharField(_("spend"), max_length=12, choices=SpendOrder.choices, default=SpendOrder.PAID_FIRST)
    refunds_allowed = models.BooleanField(_("refund the paid part on request"), default=True)


class GiftRule(models.Model):
    """Top up at least `threshold_minor`, get `gift_minor` on top (the best rule that applies)."""

    threshold_minor = models.BigIntegerField(_("top-up from"), unique=True)
    gift_minor = models.BigIntegerField(_("gift"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["threshold_minor"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold_minor__gt=0, gift_minor__gt=0), name="loyalty_gift_rule_positive"),
        ]


class StoredValueAccount(models.Model):
    """A customer's balance, paid and gift apart; the database refuses either below zero."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="stored_value")
    paid_minor = models.BigIntegerField(default=0)
    gift_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(paid_minor__gte=0, gift_minor__gte=0), name="loyalty_stored_value_ge_0"),
        ]

    @property
    def total_minor(self) -> int:
        return self.paid_minor + self.gift_minor


class MovementKind(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    SPEND = "spend", _("Spent")
    REFUND = "refund", _("Refunded")
    RETURN = "returned", _("Returned from an order")


class StoredValueMovement(models.Model):
    """Every change of a balance, with the journal it posted (same key)."""

    account = models.ForeignKey(StoredValueAccount, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=8, choices=MovementKind.choices)
    paid_minor = models.BigIntegerField()  # signed: + in, − out
    gift_minor = models.BigIntegerField()
    key = models.CharField(max_length=120, unique=True)
    memo = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]


class TopUpStatus(models.TextChoices):
    PAYING = "paying", _("Paying")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")


class TopUp(WalletCharge):
    """A top-up paid through the rails (credited once, when the rail says it is paid) or in
    cash at the counter (no payment method; paid at once). A refund of the paid part goes
    back the way the top-up came in."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()
    gift_minor = models.BigIntegerField(default=0)
    request_key = models.CharField(max_length=80)
    charge_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=8, choices=TopUpStatus.choices, default=TopUpStatus.PAYING)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "request_key"], name="loyalty_topup_request_unique"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0, gift_minor__gte=0), name="loyalty_topup_positive"),
        ]


def destination_label(rail: str) -> str:
    """Where refunded money goes, in the reader's language (no rail: cash)."""
    return {
        "alipay": gettext("Back to Alipay"),
        "wechat": gettext("Back to WeChat Pay"),
        "stripe": gettext("Back to the card"),
        "sandbox": gettext("Back to the test payment method"),
    }.get(rail, gettext("In cash at the counter"))


class RefundLegStatus(models.TextChoices):
    PENDING = "pending", _("Being refunded")
    REFUNDED = "refunded", _("Refunded")


class StoredValueRefund(models.Model):
    """One refund of paid value as asked (once per request key), split into legs: each back
    the way a top-up came in, newest top-ups first, cash for cash."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    request_key = models.CharField(max_length=80)
    amount_minor = models.BigIntegerField()
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "request_key"], name="loyalty_sv_refund_request_unique"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="loyalty_sv_refund_positive"),
        ]


class StoredValueRefundLeg(models.Model):
    """The part of a refund that goes one way: to the rail of `top_up` under `key` (the rail
    gives back at most once per key), or in cash (no payment method). PENDING holds the amount
    on the balance; REFUNDED has its movement and journal under the same key."""

    refund = models.ForeignKey(StoredValueRefund, on_delete=models.PROTECT, related_name="legs")
    top_up = models.ForeignKey(TopUp, on_delete=models.PROTECT, null=True, blank=True, related_name="refund_legs")
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount_minor = models.BigIntegerField()
    key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=8, choices=RefundLegStatus.choices, default=RefundLegStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["refund_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="loyalty_sv_refund_leg_positive"),
        ]

    @property
    def rail(self) -> str:
        """The rail the money goes back to; empty for cash."""
        return self.payment_method.rail if self.payment_method_id else ""

    @property
    def destination(self) -> str:
        return destination_label(self.rail)
