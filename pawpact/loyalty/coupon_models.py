"""Coupons, segments and campaigns: the shop's templates, the coupons issued from them,
what triggers an issue, saved customer filters and the campaigns sent to them.

Imported by pawpact.loyalty.models so Django registers them with the loyalty app.
"""
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.billing.enums import EntitlementKind
from pawpact.core.clock import default_clock
from pawpact.customers.models import Customer


class CouponKind(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("Amount off")
    PERCENT_OFF = "percent_off", _("Percent off")
    FREE_SERVICE = "free_service", _("Free service")
    DEFERRAL = "deferral", _("Deferral")
    FIRST_MONTH_HALF = "first_month_half", _("First month half price")


class CouponTemplate(models.Model):
    """What a coupon gives and for how long. Validity is either fixed dates or N days after issue."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    amount_off_minor = models.BigIntegerField(default=0)
    percent_off = models.PositiveSmallIntegerField(default=0)
    service_kind = models.CharField(max_length=20, blank=True)  # free_service: "" means any service
    min_spend_minor = models.BigIntegerField(default=0)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(null=True, blank=True)
    per_customer_limit = models.PositiveSmallIntegerField(default=1)
    total_limit = models.PositiveIntegerField(null=True, blank=True)  # None: no limit
    issued_count = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enabled", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_off_minor__gte=0, min_spend_minor__gte=0), name="loyalty_coupon_amounts_ge_0"),
            models.CheckConstraint(condition=Q(percent_off__lte=100), name="loyalty_coupon_percent_le_100"),
            models.CheckConstraint(
                condition=Q(total_limit__isnull=True) | Q(issued_count__lte=models.F("total_limit")),
                name="loyalty_coupon_within_total_limit",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def is_expired(self) -> bool:
        """Fixed dates whose last day has passed: no coupon of it can be issued any more."""
        return self.valid_until is not None and not self.valid_days and self.valid_until < default_clock.today()

    @property
    def service_label(self) -> str:
        """The free service's name (care's service kinds share their values with plan entitlements)."""
        return str(dict(EntitlementKind.choices).get(self.service_kind, self.service_kind))


class CouponStatus(models.TextChoices):
    ISSUED = "issued", _("Unused")
    USED = "used", _("Used")
    VOID = "void", _("Withdrawn")


class CouponUseKind(models.TextChoices):
    ORDER = "order", _("Shop order")
    DEBIT = "debit", _("Monthly debit")
    BOOKING = "booking", _("Service booking")


class Coupon(models.Model):
    """One coupon of one customer. `source_key` is what issued it (a trigger's event, a
    campaign, staff): unique, so a replayed event or a re-run campaign issues once."""

    uuid = models.UUIDField(unique=True)
    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=8, choices=CouponStatus.choices, default=CouponStatus.ISSUED)
    source_key = models.CharField(max_length=120, unique=True)
    campaign = models.ForeignKey("Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="coupons")
    valid_from = models.DateField()
    valid_until = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"], name="loyalty_coupon_cust_status")]

    @property
    def state(self) -> str:
        """The status as its holder sees it today: `expired` for an unused coupon past its last day."""
        if self.status == CouponStatus.ISSUED and self.valid_until < default_clock.today():
            return "expired"
        return self.status

    @property
    def use(self):
        """The coupon's use that stands (None while it is unused or was given back). Reads the
        `live_uses` the selectors prefetch, else asks the database."""
        uses = getattr(self, "live_uses", None)
        if uses is None:
            return self.uses.filter(returned_at__isnull=True).first()
        return uses[0] if uses else None

    @property
    def use_or_none(self):
        return self.use


class CouponUse(models.Model):
    """Where a coupon was used and for how much. At most one use stands per coupon (the
    database says so); a use given back (its order cancelled or fully refunded) keeps its
    row, marked `returned_at`, and the coupon can be used again."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="uses")
    kind = models.CharField(max_length=8, choices=CouponUseKind.choices)
    reference = models.CharField(max_length=120)
    amount_minor = models.BigIntegerField(default=0)
    used_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coupon"], condition=Q(returned_at__isnull=True),
                                    name="loyalty_coupon_one_standing_use"),
        ]  # fmt: skip


class TriggerKind(models.TextChoices):
    PAID_STREAK_3 = "paid_streak_3", _("3 debits paid in a row")
    PAID_STREAK_6 = "paid_streak_6", _("6 debits paid in a row")
    BIRTHDAY = "birthday", _("Birthday (customer or pet)")
    NEW_MEMBER = "new_member", _("New member (7-day trial)")
    SILENT_30 = "silent_30", _("Silent for 30 days")
    WINBACK = "winback", _("Contract terminated (win-back)")


class CouponTrigger(models.Model):
    """Which template a trigger issues; no row or no template: the trigger is off."""

    kind = models.CharField(max_length=16, choices=TriggerKind.choices, unique=True)
    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")


class Segment(models.Model):
    """A saved filter over the shop's customers (see pawpact.loyalty.segments)."""

    name = models.CharField(_("name"), max_length=60)
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CampaignKind(models.TextChoices):
    COUPON = "coupon", _("Send a coupon")
    MESSAGE = "message", _("Send a message")


class CampaignStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Campaign(models.Model):
    """A coupon or a message to a segment, sent in the background; counts what happened."""

    uuid = models.UUIDField(unique=True)
    name = models.CharField(_("name"), max_length=60)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    kind = models.CharField(max_length=8, choices=CampaignKind.choices)
    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=80, blank=True)
    body = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    # Customers given no coupon, by reason (coupon campaigns): with the issued ones they add up to `total`.
    skipped_held = models.PositiveIntegerField(default=0)
    skipped_total = models.PositiveIntegerField(default=0)
    skipped_closed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def skipped(self) -> int:
        return self.skipped_held + self.skipped_total + self.skipped_closed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)
