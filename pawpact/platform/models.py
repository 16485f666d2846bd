from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.platform.enums import (
    AdvanceStatus,
    ClawbackReason,
    InvoiceStatus,
    Kpi,
    MismatchKind,
    MismatchResolution,
    PayoutAccountKind,
    PayoutAccountStatus,
    PayoutStatus,
    PlatformAccount,
    RecourseRule,
    StatementImportStatus,
    SubscriptionStatus,
)
from pawpact.platform.funding.verdicts import VerdictWords
from pawpact.tenants.enums import ShopRiskState


class WebhookStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class WebhookEvent(models.Model):
    """Inbox of provider webhooks (Stripe): stored once per event id, answered at once,
    processed by a task in the schema of the shop the event belongs to."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=80)
    shop_schema = models.CharField(max_length=63, blank=True)
    payload = models.JSONField()
    created_by_provider_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=WebhookStatus.choices, default=WebhookStatus.RECEIVED)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique")]


# --- Flow between the layers: tenant outbox events, drained exactly once -------------------


class PlatformEvent(models.Model):
    """A shop's outbox event, copied into the public schema once (unique per shop and event id)."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="platform_events")
    tenant_event_id = models.BigIntegerField()
    kind = models.CharField(max_length=40)
    aggregate_uuid = models.UUIDField(db_index=True)
    payload = models.JSONField()
    # The mode of the record the fact is about; the platform takes in facts of its own mode only.
    livemode = models.BooleanField(default=False)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)  # when funding/KPI facts took it in

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["shop", "tenant_event_id"], name="platform_event_once")]
        indexes = [models.Index(fields=["kind", "occurred_at"], name="platform_event_kind_idx")]


class ShopDrainState(models.Model):
    """How far the platform has read a shop's outbox, and how far behind it is."""

    shop = models.OneToOneField("tenants.Shop", on_delete=models.PROTECT, related_name="drain_state")
    last_event_id = models.BigIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    oldest_pending_at = models.DateTimeField(null=True, blank=True)
    drained_at = models.DateTimeField(null=True, blank=True)


# --- Advance funding ---------------------------------------------------------------------


class FundingTerms(models.Model):
    shop = models.OneToOneField("tenants.Shop", on_delete=models.PROTECT, related_name="funding_terms")
    advance_rate = models.DecimalField(max_digits=5, decimal_places=4)  # in (0, 1]
    fee_minor = models.BigIntegerField(default=0)  # flat fee per contract
    recourse_rule = models.CharField(max_length=16, choices=RecourseRule.choices, default=RecourseRule.FULL)
    settlement_delay_days = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(advance_rate__gt=0, advance_rate__lte=1), name="funding_rate_in_0_1"
            ),
            models.CheckConstraint(condition=models.Q(fee_minor__gte=0), name="funding_fee_not_negative"),
        ]


class PayoutAccount(VerdictWords, models.Model):
    """Where a shop's live payouts go, with its onboarding state: never paid while unverified."""

    shop = models.OneToOneField("tenants.Shop", on_delete=models.PROTECT, related_name="payout_account")
    kind = models.CharField(_("kind"), max_length=16, choices=PayoutAccountKind.choices)
    account_ref = models.CharField(_("account"), max_length=64)  # acct_…, an Alipay 2088… id, a WeChat mchid
    holder_name = models.CharField(_("holder"), max_length=120)
    status = models.CharField(
        _("status"), max_length=16, choices=PayoutAccountStatus.choices, default=PayoutAccountStatus.PENDING
    )
    note = models.TextField(blank=True)  # the evidence a platform admin checked (older rows: the provider's answer)
    verdict_code = models.CharField(max_length=32, blank=True, default="")  # the provider's answer, worded when shown
    verdict_params = models.JSONField(default=dict, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    @property
    def is_verified(self) -> bool:
        return self.status == PayoutAccountStatus.VERIFIED


class PartnerPayoutAccount(VerdictWords, models.Model):
    """Where the platform pays a service partner its cleared redemptions in live mode, with its
    onboarding state; a partner is never paid live while it is not verified (partner_clearing)."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.PROTECT, related_name="payout_account")
    kind = models.CharField(_("kind"), max_length=16, choices=PayoutAccountKind.choices)
    account_ref = models.CharField(_("account"), max_length=64)
    holder_name = models.CharField(_("holder"), max_length=120)
    status = models.CharField(
        _("status"), max_length=16, choices=PayoutAccountStatus.choices, default=PayoutAccountStatus.PENDING
    )
    note = models.TextField(blank=True)  # older rows: the provider's answer as worded then
    verdict_code = models.CharField(max_length=32, blank=True, default="")  # the provider's answer, worded when shown
    verdict_params = models.JSONField(default=dict, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    @property
    def is_verified(self) -> bool:
        return self.status == PayoutAccountStatus.VERIFIED


class ReconciliationMismatch(models.Model):
    """A line where a provider's statement and a shop's books disagree, open until a later
    reconciliation of the same day matches it (pawpact.billing.services.reconciliation)."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="reconciliation_mismatches")
    provider = models.CharField(max_length=16)
    statement_date = models.DateField()
    kind = models.CharField(max_length=24, choices=MismatchKind.choices)
    reference = models.CharField(max_length=64)
    amount_minor = models.BigIntegerField()  # on the statement
    our_amount_minor = models.BigIntegerField()  # in the shop's books
    provider_reference = models.CharField(max_length=64, blank=True, default="")  # their trade / transaction id
    our_record = models.CharField(max_length=16, blank=True, default="")  # debit, deposit, penalty, refund, order
    our_key = models.CharField(max_length=255, blank=True, default="")  # that record's idempotency key
    currency = models.CharField(max_length=3, default="CNY")
    first_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Who closed it and why; a person's resolution stands when the day is imported again.
    resolution = models.CharField(max_length=24, blank=True, default="", choices=MismatchResolution.choices)
    resolution_note = models.TextField(blank=True, default="")
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["statement_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "provider", "statement_date", "kind", "reference"], name="mismatch_once"
            )
        ]


class StatementImport(models.Model):
    """One provider statement a platform admin imported for a shop and a day: fetched from
    the provider, or uploaded as the provider's own file (its lines kept until matched)."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="statement_imports")
    provider = models.CharField(max_length=16)
    livemode = models.BooleanField(default=False)
    statement_date = models.DateField()
    filename = models.CharField(max_length=200, blank=True, default="")  # "" when fetched
    digest = models.CharField(max_length=64, blank=True, default="")  # SHA-256 of the uploaded file
    lines_json = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, default=StatementImportStatus.QUEUED, choices=StatementImportStatus.choices)
    lines = models.IntegerField(default=0)
    matched = models.IntegerField(default=0)
    mismatches = models.IntegerField(default=0)
    # Every line's result (pawpact.tenants.ports.StatementLineResult as a dict), kept when matched.
    line_results = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=40, blank=True, default="")  # words the reason in the viewer's language
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Payout(models.Model):
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="payouts")
    settlement_date = models.DateField()
    currency = models.CharField(max_length=3, default="CNY")
    advances_minor = models.BigIntegerField(default=0)
    clawbacks_minor = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)  # advances − clawbacks
    status = models.CharField(max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.CREATED)
    rail = models.CharField(max_length=16, default="sandbox")
    rail_reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-settlement_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "settlement_date"], name="payout_one_per_shop_and_day")
        ]


class Advance(models.Model):
    """The platform buys a signed contract: it pays the shop value × rate − fee, T+7."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="advances")
    contract_uuid = models.UUIDField()
    currency = models.CharField(max_length=3, default="CNY")
    contract_value_minor = models.BigIntegerField()
    monthly_amount_minor = models.BigIntegerField()
    periods = models.PositiveSmallIntegerField()
    advance_rate = models.DecimalField(max_digits=5, decimal_places=4)
    fee_minor = models.BigIntegerField()
    amount_minor = models.BigIntegerField()
    signed_at = models.DateTimeField()
    payable_on = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=AdvanceStatus.choices, default=AdvanceStatus.PENDING)
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="advances")
    collected_minor = models.BigIntegerField(default=0)
    closed_reason = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "contract_uuid"], name="advance_one_per_contract"),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="advance_amount_positive"),
        ]

    @property
    def closed_reason_label(self) -> str:
        if self.closed_reason in ClawbackReason.values:
            return ClawbackReason(self.closed_reason).label
        return self.closed_reason


class Clawback(models.Model):
    """What a shop owes the platform, deducted from its next payout: an advance clawed back, or
    (without an advance) a month of plan entitlements its customers redeemed at partners."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="clawbacks")
    advance = models.ForeignKey(Advance, on_delete=models.PROTECT, null=True, blank=True, related_name="clawbacks")
    reason = models.CharField(max_length=24, choices=ClawbackReason.choices)
    # The month of partner redemptions a partner_clearing clawback charges.
    clearing_month = models.DateField(null=True, blank=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="clawbacks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["advance", "reason"], name="clawback_once_per_reason"),
            models.UniqueConstraint(
                fields=["shop", "clearing_month", "currency"], condition=models.Q(reason="partner_clearing"),
                name="clawback_clearing_once_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(reason="partner_clearing", advance__isnull=True, clearing_month__isnull=False)
                | (~models.Q(reason="partner_clearing") & models.Q(advance__isnull=False)),
                name="clawback_names_its_source",
            ),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="clawback_amount_positive"),
        ]


class PlatformJournal(models.Model):
    idempotency_key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40)
    memo = models.CharField(max_length=255, blank=True)
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    contract_uuid = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class PlatformLedgerLine(models.Model):
    """Append-only, debit-positive; the lines of a journal sum to zero."""

    journal = models.ForeignKey(PlatformJournal, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(max_length=24, choices=PlatformAccount.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount_minor=0), name="platform_line_not_zero")]
        indexes = [models.Index(fields=["account", "shop"], name="platform_line_account_idx")]


# --- Risk ---------------------------------------------------------------------------------


class ShopRiskChange(models.Model):
    """Every change of a shop's risk state: automatic (with the figures) or a logged override."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="risk_changes")
    from_state = models.CharField(max_length=24, choices=ShopRiskState.choices)
    to_state = models.CharField(max_length=24, choices=ShopRiskState.choices)
    overdue_rate = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    is_override = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]


class ShopRiskOverride(models.Model):
    """A platform admin's decision that holds until lifted, over the automatic state."""

    shop = models.OneToOneField("tenants.Shop", on_delete=models.PROTECT, related_name="risk_override")
    state = models.CharField(max_length=24, choices=ShopRiskState.choices)
    reason = models.TextField()
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)


# --- KPI facts (public tables only: cross-shop pages never scan shop schemas) ----------------


class ShopDailyRisk(models.Model):
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="daily_risk")
    day = models.DateField()
    active_contracts = models.PositiveIntegerField(default=0)
    overdue_contracts = models.PositiveIntegerField(default=0)
    debits_attempted = models.PositiveIntegerField(default=0)
    debits_succeeded = models.PositiveIntegerField(default=0)
    receivable_minor = models.BigIntegerField(default=0)
    bad_debt_minor = models.BigIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    overdue_rate = models.DecimalField(max_digits=7, decimal_places=6, default=0)
    debit_success_rate = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    # None: no data in the window (nothing fell due; no complaint opened or resolved).
    bad_debt_rate = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    complaint_rate = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    state = models.CharField(max_length=24, choices=ShopRiskState.choices)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="daily_risk_once")]


class ShopMonthlyKpi(models.Model):
    """One shop's facts for one month, from drained events; rates are derived and stored."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="monthly_kpis")
    month = models.DateField()  # the first day of the month
    currency = models.CharField(max_length=3, default="CNY")
    signings = models.PositiveIntegerField(default=0)
    plan_revenue_minor = models.BigIntegerField(default=0)
    total_revenue_minor = models.BigIntegerField(default=0)
    debits_attempted = models.PositiveIntegerField(default=0)
    debits_succeeded = models.PositiveIntegerField(default=0)
    active_contracts = models.PositiveIntegerField(default=0)
    overdue_contracts = models.PositiveIntegerField(default=0)
    receivable_minor = models.BigIntegerField(default=0)
    bad_debt_minor = models.BigIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    complaints_resolved = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    renewals_due = models.PositiveIntegerField(default=0)
    renewals = models.PositiveIntegerField(default=0)
    plan_customer_ltv_minor = models.BigIntegerField(default=0)
    ordinary_customer_ltv_minor = models.BigIntegerField(default=0)
    values = models.JSONField(default=dict)  # every KPI of pawpact.platform.enums.Kpi, as computed
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["shop", "month"], name="monthly_kpi_once")]


class KpiBenchmark(models.Model):
    """Percentiles of one KPI across shops for one month (kept only when ≥ 5 shops contribute)."""

    month = models.DateField()
    kpi = models.CharField(max_length=32, choices=Kpi.choices)
    shops = models.PositiveIntegerField()
    p25 = models.DecimalField(max_digits=20, decimal_places=6)
    p50 = models.DecimalField(max_digits=20, decimal_places=6)
    p75 = models.DecimalField(max_digits=20, decimal_places=6)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "kpi"], name="benchmark_once")]


class MonthlyReport(models.Model):
    """A month's KPI report for a shop (or the whole portfolio when shop is empty)."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    month = models.DateField()
    csv = models.BinaryField()
    xlsx = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "month"], name="monthly_report_once"),
            models.UniqueConstraint(
                fields=["month"], condition=models.Q(shop__isnull=True), name="portfolio_report_once"
            ),
        ]


# --- Shops' subscription to Pawpact ------------------------------------------------------


class SaasPlan(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    monthly_price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    trial_days = models.PositiveSmallIntegerField(default=14)
    max_contracts = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["monthly_price_minor"]


class ShopSubscription(models.Model):
    shop = models.OneToOneField("tenants.Shop", on_delete=models.PROTECT, related_name="subscription")
    plan = models.ForeignKey(SaasPlan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING)
    trial_ends_on = models.DateField()
    current_period_start = models.DateField()
    current_period_end = models.DateField()
    grace_until = models.DateField(null=True, blank=True)
    payment_rail = models.CharField(max_length=16, default="sandbox")
    payment_token = models.CharField(max_length=255, blank=True)
    rail_customer_ref = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class SaasInvoice(models.Model):
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="saas_invoices")
    number = models.CharField(max_length=32, unique=True)
    plan = models.ForeignKey(SaasPlan, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    attempts = models.PositiveSmallIntegerField(default=0)
    rail_reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "period_start"], name="saas_invoice_one_per_period")
        ]
