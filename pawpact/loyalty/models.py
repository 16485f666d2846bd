"""What keeps a customer: tiers, points, the exit survey and the win-back offer."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


# --- Tiers ---------------------------------------------------------------------------------------


class TierBasis(models.TextChoices):
    PAID_MONTHS = "paid_months", _("By paid months")
    SPEND_VISITS = "spend_visits", _("By spend or visits in a rolling window")


class QuotaPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class TierRuleSet(models.Model):
    """The shop's tier rules; one is active, an edit replaces the tiers under a new version."""

    basis = models.CharField(_("basis"), max_length=16, choices=TierBasis.choices)
    version = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="loyalty_one_active_rules")
        ]


# The presets' tier names are stored in English and shown in the viewer's language, so one
# shop's staff and customers each read their own; a name the shop typed is shown as typed.
PRESET_TIER_NAMES = {
    "Normal": pgettext_lazy("tier", "Normal"), "Gold": pgettext_lazy("tier", "Gold"),
    "Platinum": pgettext_lazy("tier", "Platinum"), "Diamond": pgettext_lazy("tier", "Diamond"),
    "Bronze": pgettext_lazy("tier", "Bronze"), "Silver": pgettext_lazy("tier", "Silver"),
}  # fmt: skip


def tier_name_display(name: str) -> str:
    label = PRESET_TIER_NAMES.get(name)
    return str(label) if label is not None else name


def tier_name_stored(name: str) -> str:
    """A preset's name typed (or kept) in the viewer's language is stored as the preset's own,
    so it keeps following each viewer's language; any other name is stored as typed."""
    shown = {str(label): key for key, label in PRESET_TIER_NAMES.items()}
    return shown.get(name, name)


class Tier(models.Model):
    """One level of a rule set. A member qualifies when any threshold that is set is met
    (paid months ever; spend or visits within the window)."""

    rule_set = models.ForeignKey(TierRuleSet, on_delete=models.CASCADE, related_name="tiers")
    rank = models.PositiveSmallIntegerField()  # 0 = the entry level
    name = models.CharField(_("name"), max_length=40)
    min_paid_months = models.PositiveIntegerField(null=True, blank=True)
    min_spend_minor = models.BigIntegerField(null=True, blank=True)
    min_visits = models.PositiveIntegerField(null=True, blank=True)
    window_months = models.PositiveSmallIntegerField(null=True, blank=True)  # None: since joining
    goods_discount_percent = models.PositiveSmallIntegerField(default=0)
    free_service_quota = models.PositiveSmallIntegerField(default=0)
    quota_period = models.CharField(max_length=8, choices=QuotaPeriod.choices, default=QuotaPeriod.MONTH)
    points_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    birthday_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1)

    class Meta:
        ordering = ["rule_set", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "rank"], name="loyalty_tier_rank_unique"),
            models.CheckConstraint(condition=models.Q(goods_discount_percent__lte=100), name="loyalty_tier_discount_le_100"),
            models.CheckConstraint(condition=models.Q(points_multiplier__gte=0), name="loyalty_tier_multiplier_ge_0"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return tier_name_display(self.name)


class Membership(models.Model):
    """A customer's tier and points. Balances are kept by the points ledger's services and
    checked by the database: never below zero."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="membership")
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tier_rank = models.SmallIntegerField(default=-1)  # -1: below the entry level
    tier_since = models.DateField(null=True, blank=True)
    # The last day the member met their own level's minimum; a year without drops one level.
    qualified_on = models.DateField(null=True, blank=True)
    points_balance = models.BigIntegerField(default=0)
    points_frozen = models.BigIntegerField(default=0)
    # RFM quintiles within the shop (5 = best), refreshed with the daily run; 0 = not scored yet.
    rfm_recency = models.PositiveSmallIntegerField(default=0, db_default=0)
    rfm_frequency = models.PositiveSmallIntegerField(default=0, db_default=0)
    rfm_monetary = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(points_balance__gte=0), name="loyalty_points_balance_ge_0"),
            models.CheckConstraint(condition=models.Q(points_frozen__gte=0), name="loyalty_points_frozen_ge_0"),
        ]


class ReevaluationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Reevaluation(models.Model):
    """A background re-evaluation of every member's tier, with its progress."""

    rule_set = models.ForeignKey(TierRuleSet, on_delete=models.PROTECT, related_name="reevaluations")
    status = models.CharField(max_length=8, choices=ReevaluationStatus.choices, default=ReevaluationStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    upgraded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


# --- Activity and points --------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    DEBIT = "debit", _("Monthly debit paid")
    ORDER = "order", _("Shop order paid")
    VISIT = "visit", pgettext_lazy("shop visit", "Visit")


class Activity(models.Model):
    """What a member did that counts towards tiers (spend, paid months, visits, on-time
    streaks); one row per source event, so a replayed event counts once."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=ActivityKind.choices)
    source_key = models.CharField(max_length=120, unique=True)
    amount_minor = models.BigIntegerField(default=0)
    on_time = models.BooleanField(default=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["customer", "occurred_at"], name="loyalty_activity_cust_at")]


class PointsKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted by the shop")


class PointsEntry(models.Model):
    """One movement of a member's points. `source_key` is the event it comes from
    (unique: an event replayed awards nothing more). An earn entry is a lot: `remaining`
    is what is left of it for redemption and expiry (oldest expiry first); an entry
    earned while the customer was overdue is `frozen` until they pay."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=PointsKind.choices)
    points = models.BigIntegerField()
    source_key = models.CharField(max_length=120, unique=True)
    source_event = models.CharField(max_length=40)
    memo = models.CharField(max_length=200, blank=True)
    remaining = models.BigIntegerField(default=0)
    frozen = models.BooleanField(default=False)
    released_at = models.DateTimeField(null=True, blank=True)  # when frozen points became spendable
    expires_on = models.DateField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="loyalty_points_cust_at"),
            models.Index(
                fields=["expires_on"], name="loyalty_points_open_lots", condition=models.Q(remaining__gt=0)
            ),
            models.Index(fields=["customer"], name="loyalty_points_frozen", condition=models.Q(frozen=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(remaining__gte=0), name="loyalty_points_remaining_ge_0"),
        ]


# --- Shop-wide member benefits ---------------------------------------------------------------------


class MemberBenefits(models.Model):
    """The shop's member day and multi-pet household benefit (one row per shop)."""

    # The day of each month (1–31; the month's last day when it has fewer); None: no member day.
    member_day = models.PositiveSmallIntegerField(_("member day"), null=True, blank=True)
    member_day_discount_percent = models.PositiveSmallIntegerField(_("extra goods discount on member day"), default=0)
    member_day_points_multiplier = models.DecimalField(
        _("points multiplier on member day"), max_digits=4, decimal_places=2, default=1
    )
    multi_pet_half_price = models.BooleanField(_("second and further pets' services at half price"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member_day__isnull=True) | models.Q(member_day__gte=1, member_day__lte=31),
                name="loyalty_member_day_in_month",
            ),
            models.CheckConstraint(
                condition=models.Q(member_day_discount_percent__lte=90), name="loyalty_member_day_discount_le_90"
            ),
            models.CheckConstraint(
                condition=models.Q(member_day_points_multiplier__gte=1), name="loyalty_member_day_multiplier_ge_1"
            ),
        ]


class TierChange(models.Model):
    """A member's move from one tier to another, kept for the member's history."""

    class Why(models.TextChoices):
        UP = "up", _("Moved up")
        DROP = "drop", _("Dropped a level after a year below its minimum")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    from_rank = models.SmallIntegerField()
    to_rank = models.SmallIntegerField()
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    why = models.CharField(max_length=8, choices=Why.choices)
    changed_on = models.DateField()

    class Meta:
        ordering = ["-changed_on", "-id"]
        indexes = [models.Index(fields=["customer", "changed_on"], name="loyalty_tierchange_cust")]


# Referrals, the points mall and stored value, and coupons, segments and campaigns, live in
# their own modules; imported here so Django registers them with the loyalty app.
from pawpact.loyalty.coupon_models import (  # noqa: E402, F401
    Campaign, Coupon, CouponTemplate, CouponTrigger, CouponUse, Segment,
)  # fmt: skip
from pawpact.loyalty.wallet_models import (  # noqa: E402, F401
    GiftRule, MallItem, Redemption, Referral, ReferralCode, StoredValueAccount, StoredValueMovement, StoredValueRules,
    StoredValueRefund, StoredValueRefundLeg, TopUp,
)  # fmt: skip
from pawpact.loyalty.paid_models import PaidCharge, PaidMembership, PaidPlan  # noqa: E402, F401, I001
from pawpact.loyalty.refund_request_models import StoredValueRefundRequest  # noqa: E402, F401, I001
