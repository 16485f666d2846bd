"""The overview's figures: today, the to-do list and the last twelve months, in a handful of queries."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from pawpact.billing.enums import AttemptStatus, CallTaskStatus, ContractStatus, PeriodStatus
from pawpact.billing.models import CallTask, Contract, DebitAttempt, DebitPeriod
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.workspace.selectors.signings import AWAITING_CUSTOMER, AWAITING_NOTICE

OVERDUE_STANDINGS = (CustomerStanding.GRACE, CustomerStanding.OVERDUE, CustomerStanding.DEFAULT)
RENEWAL_WINDOW_DAYS = 31


@dataclass(frozen=True)
class Today:
    signings: int
    debits_due: int
    debits_due_minor: int
    debits_succeeded: int
    debits_succeeded_minor: int
    debits_failed: int
    overdue_customers: int
    active_contracts: int


@dataclass(frozen=True)
class Todo:
    calls_due: int
    awaiting_customer: int
    awaiting_notice: int
    renewals_due: int


@dataclass(frozen=True)
class MonthRow:
    month: date
    signings: int
    collected_minor: int
    attempts: int
    succeeded: int

    @property
    def success_percent(self) -> float | None:
        return round(self.succeeded * 100 / self.attempts, 1) if self.attempts else None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The shop's calendar day as an aware [start, end) interval."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def overview_today(*, clock: Clock = default_clock) -> Today:
    start, end = day_bounds(clock.today())
    contracts = Contract.objects.aggregate(
        signings=Count("id", filter=Q(signed_at__gte=start, signed_at__lt=end)),
        active=Count("id", filter=Q(status=ContractStatus.ACTIVE)),
    )
    due = DebitPeriod.objects.filter(due_date=clock.today()).exclude(status=PeriodStatus.CANCELLED).aggregate(
        count=Count("id"), amount=Sum("amount_minor")
    )
    # Collected means kept: a debit given back since (a cooling-off cancellation) is not counted.
    kept = Q(status=AttemptStatus.SUCCEEDED) & ~Q(period__status=PeriodStatus.REFUNDED)
    attempts = DebitAttempt.objects.filter(finished_at__gte=start, finished_at__lt=end).aggregate(
        succeeded=Count("id", filter=kept),
        succeeded_amount=Sum("amount_minor", filter=kept),
        failed=Count("id", filter=Q(status=AttemptStatus.FAILED)),
    )
    return Today(
        signings=contracts["signings"],
        debits_due=due["count"],
        debits_due_minor=due["amount"] or 0,
        debits_succeeded=attempts["succeeded"],
        debits_succeeded_minor=attempts["succeeded_amount"] or 0,
        debits_failed=attempts["failed"],
        overdue_customers=Customer.objects.filter(standing__in=OVERDUE_STANDINGS).count(),
        active_contracts=contracts["active"],
    )


def overview_todo(*, clock: Clock = default_clock) -> Todo:
    today = clock.today()
    return Todo(
        calls_due=CallTask.objects.filter(status=CallTaskStatus.OPEN, due_on__lte=today).count(),
        awaiting_customer=Contract.objects.filter(AWAITING_CUSTOMER).count(),
        awaiting_notice=Contract.objects.filter(AWAITING_NOTICE).count(),
        renewals_due=DebitPeriod.objects.filter(
            number=F("contract__periods"),
            contract__status=ContractStatus.ACTIVE,
            due_date__gte=today,
            due_date__lte=today + timedelta(days=RENEWAL_WINDOW_DAYS),
        ).count(),
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(day: date, count: int) -> list[date]:
    """The first days of the `count` months ending with `day`'s month, oldest first."""
    months, month = [], month_start(day)
    for _ in range(count):
        months.append(month)
        month = month_start(month - timedelta(days=1))
    return months[::-1]


def overview_months(*, clock: Clock = default_clock, count: int = 12) -> list[MonthRow]:
    """Signings, money collected and debit success per month (the shop's time zone), oldest first."""
    months = months_back(clock.today(), count)
    since, _ = day_bounds(months[0])
    zone = timezone.get_default_timezone()
    signings = dict(
        Contract.objects.filter(signed_at__gte=since)
        .annotate(month=TruncMonth("signed_at", tzinfo=zone))
        .values_list("month")
        .annotate(count=Count("id"))
        .values_list("month", "count")
    )
    debits = {
        row["month"]: row
        for row in DebitAttempt.objects.filter(finished_at__gte=since)
        .annotate(month=TruncMonth("finished_at", tzinfo=zone))
        .values("month")
        .annotate(
            attempts=Count("id"),
            succeeded=Count("id", filter=Q(status=AttemptStatus.SUCCEEDED)),
            collected=Sum("amount_minor", filter=Q(status=AttemptStatus.SUCCEEDED)),
        )
    }
    rows = []
    for month in months:
        key = _month_key(month, zone)
        debit = debits.get(key, {})
        rows.append(
            MonthRow(
                month=month,
                signings=signings.get(key, 0),
                collected_minor=debit.get("collected") or 0,
                attempts=debit.get("attempts", 0),
                succeeded=debit.get("succeeded", 0),
            )
        )
    return rows


def _month_key(month: date, zone) -> datetime:
    return datetime.combine(month, time.min, tzinfo=zone)
