"""Plans, customers, pets, contracts, the debit calendar, attempts and the shop ledger.

All amounts are integer fen (`*_minor`) in `currency`; rates are Decimal.
"""
import operator
import uuid
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pawpact.billing.enums import (
    OPEN_CONTRACT_STATUSES,
    AttemptStatus,
    CallTaskKind,
    CallTaskStatus,
    ContractStatus,
    CreditSource,
    DepositStatus,
    LedgerAccount,
    PeriodStatus,
    TerminationKind,
)
from pawpact.core.bilingual import in_reader_language
from pawpact.customers.models import Customer, Pet
from pawpact.payments.enums import DeclineType, Rail

MAX_PENALTY_RATE = Decimal("0.10")


class Plan(models.Model):
    """A monthly plan the shop sells; its terms live in immutable versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    # A thing's name (名称), not a person's (姓名).
    name = models.CharField(pgettext_lazy("plan", "name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: `name_en` for English when the shop gave one."""
        return in_reader_language(self.name, self.name_en)


class PlanVersion(models.Model):
    """The terms a contract signs. Never edited once created: a change is a new version."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    monthly_price_minor = models.BigIntegerField(_("monthly price"))
    currency = models.CharField(max_length=3, default="CNY")
    periods = models.PositiveSmallIntegerField(
        _("periods"), validators=[MinValueValidator(12), MaxValueValidator(24)]
    )
    debit_day = models.PositiveSmallIntegerField(
        _("debit day"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    # [{"kind": "food", "item": "Designated food", "quantity": 1500, "unit": "g"}, ...]
    entitlements = models.JSONField(_("monthly entitlements"), default=list)
    scope_of_use = models.TextField(_("directed scope of use"))
    deposit_minor = models.BigIntegerField(_("deposit"))
    penalty_rate = models.DecimalField(_("early termination penalty rate"), max_digits=4, decimal_places=3)
    cooling_off_days = models.PositiveSmallIntegerField(_("cooling-off days"))
    health_guarantee_days = models.PositiveSmallIntegerField(_("health guarantee days"), default=30)
    # [{"consecutive_paid": 6, "kind": "deworming", "quantity": 1}]
    fulfilment_rewards = models.JSONField(_("fulfilment rewards"), default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="plan_version_unique"),
            models.CheckConstraint(condition=Q(monthly_price_minor__gt=0), name="plan_price_positive"),
            models.CheckConstraint(condition=Q(periods__gte=12, periods__lte=24), name="plan_periods_12_24"),
            models.CheckConstraint(condition=Q(debit_day__gte=1, debit_day__lte=28), name="plan_debit_day_1_28"),
            models.CheckConstraint(condition=Q(deposit_minor__gte=0), name="plan_deposit_not_negative"),
            models.CheckConstraint(
                condition=Q(penalty_rate__gte=0, penalty_rate__lte=MAX_PENALTY_RATE), name="plan_penalty_rate_cap"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.display_name} v{self.version}"

    @property
    def total_minor(self) -> int:
        return self.monthly_price_minor * self.periods


class PaymentMethod(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payment_methods")
    rail = models.CharField(max_length=16, choices=Rail.choices)
    # The rail's reference: a sandbox token, or a Stripe PaymentMethod id.
    token = models.CharField(max_length=255)
    rail_customer_ref = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=80, blank=True)
    # Saved in test mode (sandbox tokens, test credentials) or live mode; never pays the other mode.
    livemode = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # The developer's own key-value pairs (pawpact.core.metadata): stored as given, never read here.
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["rail", "token"], name="payment_method_token_unique")]

    @property
    def shown_label(self) -> str:
        """The label in the reader's language (the sandbox's test cards carry catalogued names);
        a debit agreement is named by its rail, whatever older label it was stored with."""
        if self.rail in (Rail.ALIPAY, Rail.WECHAT) or not self.label:
            return str(self.get_rail_display())
        return gettext(self.label)


class Contract(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The developer's own key-value pairs (pawpact.core.metadata): stored as given, never read here.
    metadata = models.JSONField(default=dict, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    pet = models.ForeignKey(Pet, on_delete=models.PROTECT, related_name="contracts")
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="contracts")
    status = models.CharField(max_length=24, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    # Born in the shop's mode and kept for life (pawpact.tenants.modes): a test-mode contract
    # moves pretend money only and never enters the platform's live books.
    livemode = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, default="CNY")
    monthly_amount_minor = models.BigIntegerField()
    periods = models.PositiveSmallIntegerField()
    total_minor = models.BigIntegerField()
    # Credit decision
    credit_score = models.PositiveSmallIntegerField(null=True, blank=True)
    credit_source = models.CharField(max_length=16, choices=CreditSource.choices, blank=True)
    credit_evidence = models.TextField(blank=True)
    credit_checked_at = models.DateTimeField(null=True, blank=True)
    deposit_minor = models.BigIntegerField(default=0)
    deposit_status = models.CharField(max_length=16, choices=DepositStatus.choices, blank=True)
    deposit_reference = models.CharField(max_length=255, blank=True)  # the rail's charge reference
    # Agreement and signature: exactly what was shown, and who signed it, when, from where.
    agreement_text = models.TextField(blank=True)
    agreement_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by_name = models.CharField(max_length=80, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=255, blank=True)
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts"
    )
    cooling_off_until = models.DateField(null=True, blank=True)
    # Set while a signed contract waits for its rail's pre-debit notice to age (WeChat);
    # the activation job starts it then, and clears it whatever the outcome.
    activation_queued_at = models.DateTimeField(null=True, blank=True)
    deposit_noticed_at = models.DateTimeField(null=True, blank=True)  # the deposit's own pre-debit notice
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set in test mode only: the contract is billed at this clock's time, not the real one.
    test_clock = models.ForeignKey(
        "billing.TestClock", on_delete=models.SET_NULL, null=True, blank=True, related_name="contracts"
    )
    renewal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        # `metadata[key]=value` filters are jsonb containment, answered by this index.
        indexes = [GinIndex(fields=["metadata"], opclasses=["jsonb_path_ops"], name="contract_metadata_gin")]
        constraints = [
            # A pet is under at most one open contract: signing it twice fails in the database.
            # ORed equalities, not status__in: PostgreSQL prints an IN-list predicate in a form
            # that parses back differently, and shop schemas are copied from that print-out.
            models.UniqueConstraint(
                fields=["pet"],
                condition=reduce(operator.or_, (Q(status=status) for status in OPEN_CONTRACT_STATUSES)),
                name="contract_one_open_per_pet",
            ),
            models.CheckConstraint(condition=Q(monthly_amount_minor__gt=0), name="contract_amount_positive"),
            models.CheckConstraint(condition=Q(deposit_minor__gte=0), name="contract_deposit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.plan_version}"


class DebitPeriod(models.Model):
    """One line of the debit calendar: period n of N, its date and amount."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="periods_set")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField(db_index=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.SCHEDULED)
    # The first moment the rail's policy lets this period be charged (allowed hours, notice).
    not_before = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When the rail's pre-debit notice (WeChat entrusted debits) was accepted by the provider.
    pre_debit_noticed_at = models.DateTimeField(null=True, blank=True)
    original_due_date = models.DateField(null=True, blank=True)  # set when a deferral moved it
    next_retry_on = models.DateField(null=True, blank=True)
    overdue_since = models.DateField(null=True, blank=True)
    # What a defaulted contract's held deposit paid of this period; the rest stays owed.
    deposit_applied_minor = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["contract_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="period_number_unique"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="period_amount_positive"),
            models.CheckConstraint(
                condition=Q(deposit_applied_minor__gte=0, deposit_applied_minor__lte=F("amount_minor")),
                name="period_deposit_applied_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "not_before"], name="period_due_idx"),
        ]


class DebitAttempt(models.Model):
    """One try at charging a period. Written STARTED before the rail is called, so a
    crash leaves a marker whose idempotency key makes the retry ask, not charge again."""

    period = models.ForeignKey(DebitPeriod, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=100, unique=True)
    rail = models.CharField(max_length=16, choices=Rail.choices)
    amount_minor = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.STARTED)
    outcome = models.CharField(max_length=40, blank=True)
    decline_type = models.CharField(max_length=8, choices=DeclineType.choices, blank=True)
    rail_reference = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="attempt_number_unique"),
            # Never two successful charges for one period, whatever the workers do.
            models.UniqueConstraint(
                fields=["period"], condition=Q(status=AttemptStatus.SUCCEEDED), name="attempt_one_success_per_period"
            ),
            # At most one attempt in flight per period.
            models.UniqueConstraint(
                fields=["period"], condition=Q(status=AttemptStatus.STARTED), name="attempt_one_in_flight_per_period"
            ),
        ]
        # The workspace's day and month figures and its latest failures read attempts by finish time.
        indexes = [models.Index(fields=["finished_at"], name="attempt_finished_idx")]


class Journal(models.Model):
    """A balanced group of ledger lines; the idempotency key makes each money movement happen once."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40)
    memo = models.CharField(max_length=255, blank=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="journals")
    attempt = models.OneToOneField(
        DebitAttempt, on_delete=models.PROTECT, null=True, blank=True, related_name="journal"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class LedgerLine(models.Model):
    """Append-only. Positive amounts debit the account, negative amounts credit it."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(max_length=24, choices=LedgerAccount.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_line_not_zero")]
        indexes = [models.Index(fields=["account"], name="ledger_line_account_idx")]


class BillingSettings(models.Model):
    """The shop's lifecycle rules (one row per shop schema). Defaults are the product's (docs/product.md)."""

    reminder_days_before = models.PositiveSmallIntegerField(default=3)
    # Soft declines are retried these many days after the due date.
    retry_days = models.JSONField(default=list)  # e.g. [1, 3, 5]
    grace_days = models.PositiveSmallIntegerField(default=0)
    # [{"day": 1, "action": "sms"}, {"day": 3, "action": "call"}, {"day": 15, "action": "visit"}]
    escalation_steps = models.JSONField(default=list)
    default_after_days = models.PositiveSmallIntegerField(default=60)
    write_off_after_days = models.PositiveSmallIntegerField(default=180)
    deferrals_per_contract = models.PositiveSmallIntegerField(default=1)
    # {"12": [{"key": "gift_pack", ...}, ...], "24": [...]}
    renewal_rewards = models.JSONField(default=dict)
    winback_first_month_discount = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.500"))
    updated_at = models.DateTimeField(default=timezone.now)


class CallTask(models.Model):
    """Staff work queue for overdue customers: call (day 3), then visit; outcome notes kept."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="call_tasks")
    period = models.ForeignKey(DebitPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=8, choices=CallTaskKind.choices, default=CallTaskKind.CALL)
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=CallTaskStatus.choices, default=CallTaskStatus.OPEN)
    outcome_note = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="call_task_once_per_period")]


class DeferralCoupon(models.Model):
    """A one-off coupon that postpones one period by a month (the calendar shifts)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deferral_coupons")
    reason = models.CharField(max_length=80, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    used_on = models.OneToOneField(
        DebitPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="deferral_coupon"
    )
    used_at = models.DateTimeField(null=True, blank=True)


class TerminationQuote(models.Model):
    """What ending a contract costs now, shown before the customer decides. Inside the
    cooling-off window the quote is a free cancellation (kind cooling_off: no penalty,
    everything collected refunded); after it, an early termination with its penalty."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="termination_quotes")
    kind = models.CharField(max_length=16, choices=TerminationKind.choices, default=TerminationKind.EARLY)
    remaining_minor = models.BigIntegerField()  # unpaid periods the exit cancels
    penalty_rate = models.DecimalField(max_digits=4, decimal_places=3)
    penalty_minor = models.BigIntegerField()
    refund_minor = models.BigIntegerField(default=0)  # collected periods given back (cooling-off)
    deposit_refund_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(penalty_rate__gte=0, penalty_rate__lte=MAX_PENALTY_RATE), name="quote_penalty_rate_cap"
            )
        ]


class Termination(models.Model):
    """How and when a contract ended, with every amount it moved.

    cancelled_minor: the unpaid periods the exit cancelled (no longer owed);
    remaining_minor: what the customer still owes after the exit (only a default leaves
    debt: its overdue periods, less what the deposit paid);
    deposit_applied_minor / deposit_refund_minor: how a held deposit was used and given back.
    """

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="termination")
    kind = models.CharField(max_length=16, choices=TerminationKind.choices)
    quote = models.OneToOneField(TerminationQuote, on_delete=models.PROTECT, null=True, blank=True)
    evidence = models.FileField(upload_to="termination-evidence/%Y/%m/", blank=True)
    evidence_note = models.TextField(blank=True)
    cancelled_minor = models.BigIntegerField(default=0)
    remaining_minor = models.BigIntegerField(default=0)
    penalty_minor = models.BigIntegerField(default=0)
    refund_minor = models.BigIntegerField(default=0)
    deposit_applied_minor = models.BigIntegerField(default=0)
    deposit_refund_minor = models.BigIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    executed_at = models.DateTimeField(default=timezone.now)


class RenewalOffer(models.Model):
    """Sent a month before the last period; accepting it creates the next contract."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="renewal_offer")
    options = models.JSONField(default=list)  # the shop's rewards at the time of the offer
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_option = models.CharField(max_length=40, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    renewal_contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="from_renewal_offer"
    )


class SigningLink(models.Model):
    """A link the customer opens on their own phone to read and sign their agreement.

    The link alone signs nothing: the one-time code sent by SMS to the phone on file
    is the proof that the adopter signed. Its evidence (phone, code hash, device, IP,
    time; the text's hash is on the contract) stays on the row. The token is kept
    readable so staff can show the link and its QR code again.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="signing_links")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)  # replaced by a newer link
    opened_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, blank=True)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)  # the contract became active

    class Meta:
        ordering = ["-id"]


class RailRefund(models.Model):
    """Money given back through a rail, one row per refund key, as the provider confirmed it:
    what the daily statement's refund lines are matched against."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    rail = models.CharField(max_length=16, choices=Rail.choices)
    livemode = models.BooleanField()
    # Empty for a storefront order's refund (purpose order_refund): the order is named by the key.
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="rail_refunds")
    purpose = models.CharField(max_length=24)  # period_refund | deposit_refund | order_refund
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    charge_reference = models.CharField(max_length=255)
    reference = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="rail_refund_positive")]


class ProviderNotification(models.Model):
    """Inbox of the Chinese rails' notifications to this shop (agreement signed, trade paid):
    verified, stored once per provider notification id, applied once. A redelivery is
    answered without being applied again."""

    provider = models.CharField(max_length=16, choices=Rail.choices)
    notification_id = models.CharField(max_length=80)
    kind = models.CharField(max_length=40)
    livemode = models.BooleanField()
    payload = models.JSONField()
    status = models.CharField(max_length=16)  # applied | ignored | rejected
    note = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "notification_id"], name="provider_notification_once")
        ]


# Requests about a contract in force live in their own module (kept small); importing them
# here registers them with the billing app as before.
from pawpact.billing.contract_requests import ContractHold, CreditConsent, PetLossReport  # noqa: E402, F401
from pawpact.billing.test_clock_models import TestClock  # noqa: E402, F401
