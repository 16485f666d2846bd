"""Reads of billing: the debit calendar, due periods, attempts, and the ledger check."""
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from pawpact.billing.enums import AttemptStatus, ContractStatus, DepositStatus, JournalKind, LedgerAccount, PeriodStatus
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, Journal, Termination
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.payments.policies import RAIL_POLICIES, is_within_allowed_hours
from pawpact.payments.registry import rail_for

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


def contract_in_cooling_off(contract: Contract, *, today: date | None = None) -> bool:
    """In force and within its cooling-off window (the last day included): cancelling is free."""
    today = today or default_clock.today()
    return bool(contract.status == ContractStatus.ACTIVE and contract.cooling_off_until and today <= contract.cooling_off_until)


def period_attempt_list(*, period: DebitPeriod) -> QuerySet[DebitAttempt]:
    return DebitAttempt.objects.filter(period=period).order_by("number")


def rails_allowed_q(*, at: datetime, prefix: str = "") -> Q:
    """Periods whose payment rail allows a debit at `at` and whose amount is within its cap."""
    allowed = Q(pk__in=[])  # matches nothing when no rail is open
    for rail, policy in RAIL_POLICIES.items():
        if not is_within_allowed_hours(at=at, policy=policy) or not rail_is_chargeable(rail):
            continue
        condition = Q(**{f"{prefix}contract__payment_method__rail": rail})
        if policy.max_amount_minor is not None:
            condition &= Q(**{f"{prefix}amount_minor__lte": policy.max_amount_minor})
        allowed |= condition
    return allowed


def rail_is_chargeable(rail: str) -> bool:
    """Whether an adapter can charge this rail here (WeChat has none yet; Stripe needs its key).
    Periods on other rails wait instead of leaving attempts nobody can finish."""
    try:
        rail_for(rail)
    except DomainError:
        return False
    return True


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
        .filter(~Exists(in_flight))
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


def ledger_check() -> LedgerCheck:
    """Check the ledger of the shop schema the connection is in."""
    check = LedgerCheck(journals=Journal.objects.count())
    unbalanced = unbalanced_journals()
    if unbalanced:
        check.problems.append(f"{len(unbalanced)} unbalanced journal(s): {', '.join(unbalanced[:5])}")

    check.cash_minor = account_balances().get(LedgerAccount.CASH, 0)
    collected = DebitAttempt.objects.filter(status=AttemptStatus.SUCCEEDED).aggregate(total=Sum("amount_minor"))
    # A refunded deposit came in and went out again, so only held deposits are cash.
    deposits = Contract.objects.filter(deposit_status=DepositStatus.HELD).aggregate(total=Sum("deposit_minor"))
    # A Termination row exists only once its money moved: penalties collected, periods refunded.
    exits = Termination.objects.aggregate(penalties=Sum("penalty_minor"), refunds=Sum("refund_minor"))
    check.expected_cash_minor = (
        (collected["total"] or 0) + (deposits["total"] or 0) + (exits["penalties"] or 0) - (exits["refunds"] or 0)
    )
    if check.cash_minor != check.expected_cash_minor:
        check.problems.append(
            f"cash {check.cash_minor} != succeeded debits + deposits held + penalties − refunds "
            f"{check.expected_cash_minor}"
        )

    paid = DebitPeriod.objects.filter(status=PeriodStatus.PAID)
    check.paid_periods = paid.count()
    wrong = paid.annotate(
        successes=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUCCEEDED), distinct=True),
        journals=Count("attempts__journal", filter=Q(attempts__journal__kind=JournalKind.PERIOD_PAID), distinct=True),
    ).exclude(successes=1, journals=1)
    if wrong.exists():
        check.problems.append(
            f"{wrong.count()} paid period(s) without exactly one succeeded attempt and one 'period paid' journal"
        )
    stray = Journal.objects.filter(kind=JournalKind.PERIOD_PAID).exclude(
        attempt__status=AttemptStatus.SUCCEEDED, attempt__period__status=PeriodStatus.PAID
    )
    if stray.exists():
        check.problems.append(f"{stray.count()} 'period paid' journal(s) without a succeeded attempt on a paid period")
    unrecorded = DebitAttempt.objects.filter(status=AttemptStatus.SUCCEEDED).exclude(period__status=PeriodStatus.PAID)
    if unrecorded.exists():
        check.problems.append(f"{unrecorded.count()} succeeded attempt(s) on a period not marked paid")
    return check
