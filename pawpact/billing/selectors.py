"""Reads of billing: the debit calendar, due periods, attempts, and the ledger check."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from pawpact.billing.activation_schedule import waiting_schedule
from pawpact.billing.enums import (
    AttemptStatus,
    ContractStatus,
    DepositStatus,
    JournalKind,
    LedgerAccount,
    PeriodStatus,
    TerminationKind,
)
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import (
    Contract,
    DebitAttempt,
    DebitPeriod,
    Journal,
    LedgerLine,
    Termination,
    TerminationQuote,
)
from pawpact.core.clock import default_clock, local_date, local_midnight
from pawpact.core.money import Money
from pawpact.core.text import sentences_join
from pawpact.payments.enums import Rail
from pawpact.payments.policies import RAIL_POLICIES, is_within_allowed_hours
from pawpact.payments.registry import rail_ready

# Periods the debit run charges. Failed periods are retried by dunning, not by the run.
DUE_PERIOD_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED)


@dataclass(frozen=True)
class CalendarEntry:
    number: int
    due_date: date
    amount_minor: int
    currency: str
    status: str
    paid_at: datetime | None


def calendar_list(*, contract: Contract) -> list[CalendarEntry]:
    """The contract's debit calendar, period 1 first: what customers and staff see."""
    return [
        CalendarEntry(**row)
        for row in DebitPeriod.objects.filter(contract=contract)
        .order_by("number")
        .values("number", "due_date", "amount_minor", "currency", "status", "paid_at")
    ]


def calendar_attempts(*, contract: Contract) -> dict[int, list[DebitAttempt]]:
    """Every debit attempt of the contract by period number, first one first: one query."""
    attempts: dict[int, list[DebitAttempt]] = {}
    for attempt in (DebitAttempt.objects.filter(period__contract=contract).select_related("period")
                    .order_by("period__number", "number")):  # fmt: skip
        attempts.setdefault(attempt.period.number, []).append(attempt)
    return attempts


def contract_in_cooling_off(contract: Contract, *, today: date | None = None) -> bool:
    """In force and within its cooling-off window (the last day included): cancelling is free."""
    today = today or default_clock.today()
    return bool(contract.status == ContractStatus.ACTIVE and contract.cooling_off_until and today <= contract.cooling_off_until)


def period_attempt_list(*, period: DebitPeriod) -> QuerySet[DebitAttempt]:
    return DebitAttempt.objects.filter(period=period).order_by("number")


def notice_given_q(*, at: datetime) -> Q:
    """Periods whose rail needs no pre-debit notice, or whose notice is old enough."""
    given = Q()
    for rail, policy in RAIL_POLICIES.items():
        if policy.pre_debit_notice_days:
            latest = local_midnight(local_date(at) - timedelta(days=policy.pre_debit_notice_days - 1))
            given &= ~Q(contract__payment_method__rail=rail) | Q(pre_debit_noticed_at__lt=latest)
    return given


def rails_allowed_q(*, at: datetime, prefix: str = "") -> Q:
    """Periods whose payment rail allows a debit at `at` and whose amount is within its cap."""
    allowed = Q(pk__in=[])  # matches nothing when no rail is open
    for rail, policy in RAIL_POLICIES.items():
        if not is_within_allowed_hours(at=at, policy=policy):
            continue
        for livemode in (False, True):
            if not rail_ready(rail, livemode=livemode):
                continue
            condition = Q(**{f"{prefix}contract__payment_method__rail": rail, f"{prefix}contract__livemode": livemode})
            if policy.max_amount_minor is not None:
                condition &= Q(**{f"{prefix}amount_minor__lte": policy.max_amount_minor})
            allowed |= condition
    return allowed


def period_due_list(*, at: datetime) -> QuerySet[DebitPeriod]:
    """Periods the debit run may charge at `at`: due, on an active contract, rail open now,
    and no attempt in flight."""
    in_flight = DebitAttempt.objects.filter(period=OuterRef("pk"), status=AttemptStatus.STARTED)
    return (
        DebitPeriod.objects.filter(
            status__in=DUE_PERIOD_STATUSES,
            not_before__lte=at,
            contract__status=ContractStatus.ACTIVE,
            contract__payment_method__is_active=True,
        )
        .filter(rails_allowed_q(at=at))
        .filter(notice_given_q(at=at))
        .filter(~Exists(in_flight))
        # A sandbox token never pays live money (period_check_collectable says why, one by one).
        .exclude(contract__livemode=True, contract__payment_method__rail=Rail.SANDBOX)
        .order_by("not_before", "id")
    )


def attempt_stale_list(*, started_before: datetime, at: datetime) -> QuerySet[DebitAttempt]:
    """STARTED attempts whose worker is gone (or whose answer was unknown), oldest first,
    on rails that allow a debit at `at`."""
    return (
        DebitAttempt.objects.filter(status=AttemptStatus.STARTED, started_at__lte=started_before)
        .filter(rails_allowed_q(at=at, prefix="period__"))
        .select_related("period__contract__payment_method")
        .order_by("id")
    )


@dataclass
class LedgerCheck:
    """The result of checking the current shop's ledger against its payment records."""

    journals: int = 0
    cash_minor: int = 0
    expected_cash_minor: int = 0
    paid_periods: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.problems


# Periods whose debit was collected: still paid, or paid and then refunded (cooling-off).
COLLECTED_PERIOD_STATUSES = (PeriodStatus.PAID, PeriodStatus.REFUNDED)
# Periods whose amount (less what a deposit paid) is still owed on a contract that booked its receivable.
OWED_PERIOD_STATUSES = (
    PeriodStatus.SCHEDULED,
    PeriodStatus.REMINDED,
    PeriodStatus.ATTEMPTED,
    PeriodStatus.FAILED,
    PeriodStatus.RETRYING,
    PeriodStatus.DEFERRED,
)


def ledger_check() -> LedgerCheck:
    """Check the ledger of the shop schema the connection is in."""
    check = LedgerCheck(journals=Journal.objects.count())
    unbalanced = unbalanced_journals()
    if unbalanced:
        check.problems.append(f"{len(unbalanced)} unbalanced journal(s): {', '.join(unbalanced[:5])}")
    _cash_check(check)
    _collected_periods_check(check)
    _deposits_check(check)
    _receivables_check(check)
    for path in getattr(settings, "PAWPACT_LEDGER_CHECKS", ()):
        check.problems += import_string(path)()
    return check


def _cash_check(check: LedgerCheck) -> None:
    check.cash_minor = account_balances().get(LedgerAccount.CASH, 0)
    collected = DebitAttempt.objects.filter(status=AttemptStatus.SUCCEEDED).aggregate(total=Sum("amount_minor"))
    # A refunded deposit came in and went out again, so only held deposits are cash, plus
    # what deposits paid on default (the shop keeps that part).
    deposits = Contract.objects.filter(deposit_status=DepositStatus.HELD).aggregate(total=Sum("deposit_minor"))
    # A Termination row exists only once its money moved: penalties collected, periods refunded.
    exits = Termination.objects.aggregate(
        penalties=Sum("penalty_minor"), refunds=Sum("refund_minor"), applied=Sum("deposit_applied_minor")
    )
    check.expected_cash_minor = (
        (collected["total"] or 0) + (deposits["total"] or 0) + (exits["applied"] or 0)
        + (exits["penalties"] or 0) - (exits["refunds"] or 0)
    )  # fmt: skip
    if check.cash_minor != check.expected_cash_minor:
        check.problems.append(
            f"cash {check.cash_minor} != succeeded debits + deposits held + deposits applied + penalties − refunds "
            f"{check.expected_cash_minor}"
        )


def _collected_periods_check(check: LedgerCheck) -> None:
    check.paid_periods = DebitPeriod.objects.filter(status=PeriodStatus.PAID).count()
    collected = DebitPeriod.objects.filter(status__in=COLLECTED_PERIOD_STATUSES)
    wrong = collected.annotate(
        successes=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUCCEEDED), distinct=True),
        journals=Count("attempts__journal", filter=Q(attempts__journal__kind=JournalKind.PERIOD_PAID), distinct=True),
    ).exclude(successes=1, journals=1)
    if wrong.exists():
        check.problems.append(
            f"{wrong.count()} paid period(s) without exactly one succeeded attempt and one 'period paid' journal"
        )
    stray = Journal.objects.filter(kind=JournalKind.PERIOD_PAID).exclude(
        attempt__status=AttemptStatus.SUCCEEDED, attempt__period__status__in=COLLECTED_PERIOD_STATUSES
    )
    if stray.exists():
        check.problems.append(f"{stray.count()} 'period paid' journal(s) without a succeeded attempt on a paid period")
    unrecorded = DebitAttempt.objects.filter(status=AttemptStatus.SUCCEEDED).exclude(
        period__status__in=COLLECTED_PERIOD_STATUSES
    )
    if unrecorded.exists():
        check.problems.append(f"{unrecorded.count()} succeeded attempt(s) on a period not marked paid")
    refunded = DebitAttempt.objects.filter(status=AttemptStatus.SUCCEEDED, period__status=PeriodStatus.REFUNDED)
    refunded_minor = refunded.aggregate(total=Sum("amount_minor"))["total"] or 0
    refund_minor = Termination.objects.aggregate(total=Sum("refund_minor"))["total"] or 0
    if refunded_minor != refund_minor:
        check.problems.append(f"refunded periods {refunded_minor} != refunds recorded on terminations {refund_minor}")


def _deposits_check(check: LedgerCheck) -> None:
    """What the ledger holds as deposits is exactly the deposits still held."""
    held = Contract.objects.filter(deposit_status=DepositStatus.HELD).aggregate(total=Sum("deposit_minor"))
    expected = -(held["total"] or 0)
    balance = account_balances().get(LedgerAccount.DEPOSITS_HELD, 0)
    if balance != expected:
        check.problems.append(f"deposits held on the ledger {-balance} != deposits held on contracts {-expected}")


def _receivables_check(check: LedgerCheck) -> None:
    """Per contract: the receivable equals the revenue still deferred (what is collected,
    paid from a deposit, cancelled or written off leaves both), and, once the contract
    booked its receivable at activation, the amount its periods still owe."""
    balances: dict[int, dict[str, int]] = {}
    lines = (
        LedgerLine.objects.filter(
            contract__isnull=False, account__in=(LedgerAccount.RECEIVABLE, LedgerAccount.DEFERRED_REVENUE)
        )
        .values("contract_id", "account")
        .annotate(total=Sum("amount_minor"))
    )
    for row in lines:
        balances.setdefault(row["contract_id"], {})[row["account"]] = row["total"]
    unearned = [
        contract_id for contract_id, accounts in balances.items()
        if accounts.get(LedgerAccount.RECEIVABLE, 0) + accounts.get(LedgerAccount.DEFERRED_REVENUE, 0) != 0
    ]  # fmt: skip
    if unearned:
        check.problems.append(f"{len(unearned)} contract(s) whose receivable differs from their deferred revenue")
    booked = list(Journal.objects.filter(kind=JournalKind.CONTRACT_ACTIVATED).values_list("contract_id", flat=True))
    owed = dict(
        DebitPeriod.objects.filter(contract_id__in=booked, status__in=OWED_PERIOD_STATUSES)
        .values("contract_id")
        .annotate(total=Sum(F("amount_minor") - F("deposit_applied_minor")))
        .values_list("contract_id", "total")
    )
    wrong = [
        contract_id for contract_id in booked
        if balances.get(contract_id, {}).get(LedgerAccount.RECEIVABLE, 0) != owed.get(contract_id, 0)
    ]  # fmt: skip
    if wrong:
        check.problems.append(f"{len(wrong)} contract(s) whose receivable differs from what their periods owe")


def termination_quote_summary(quote: TerminationQuote) -> str:
    """What the quote offers, in one paragraph for the customer (the reader's language)."""
    currency = quote.contract.currency
    amounts = {
        "remaining": Money(quote.remaining_minor, currency).format(),
        "penalty": Money(quote.penalty_minor, currency).format(),
        "refund": Money(quote.refund_minor, currency).format(),
        "deposit": Money(quote.deposit_refund_minor, currency).format(),
    }
    if quote.kind == TerminationKind.COOLING_OFF:
        until = quote.contract.cooling_off_until.isoformat()
        parts = [
            _("You are within the cooling-off period (until %(date)s): cancelling is free, with no penalty.")
            % {"date": until},
            _("The %(remaining)s still to pay is cancelled and the %(refund)s you paid is refunded.") % amounts,
        ]
    else:
        parts = [
            _("Ending the contract early costs a penalty of %(penalty)s, %(rate)s%% of the %(remaining)s still to pay;"
              " the remaining periods are cancelled.")
            % {**amounts, "rate": rate_percent(quote.penalty_rate)}
        ]
    if quote.deposit_refund_minor:
        parts.append(_("Your deposit of %(deposit)s is refunded.") % amounts)
    return sentences_join(parts)


def rate_percent(rate: Decimal) -> str:
    """Decimal("0.100") → "10", Decimal("0.085") → "8.5"."""
    text = f"{rate * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def agreement_rails_offered(*, livemode: bool) -> list[str]:
    """The debit-agreement rails the current shop can offer its customers in that mode:
    Alipay and WeChat Pay where its credentials are verified by the provider."""
    return [rail for rail in (Rail.ALIPAY, Rail.WECHAT) if rail_ready(rail, livemode=livemode)]


def activation_starts_on(contract: Contract, *, clock=default_clock) -> date | None:
    """The day a contract waiting for a rail's pre-debit notices starts, else None."""
    schedule = waiting_schedule(contract, clock=clock)
    return schedule.starts_on if schedule is not None else None
