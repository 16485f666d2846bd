"""Reads for the contract list (the contract page's timeline: selectors/timeline.py)."""
from datetime import date

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from pawpact.billing.activation_schedule import ActivationSchedule, waiting_schedule
from pawpact.billing.enums import PeriodStatus
from pawpact.billing.models import Contract, DebitPeriod

OPEN_PERIOD_STATUSES = (
    PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.ATTEMPTED, PeriodStatus.FAILED, PeriodStatus.RETRYING,
)  # fmt: skip


def next_due_subquery() -> Subquery:
    """A contract's next open debit date, for every list that shows "Next debit"."""
    upcoming = DebitPeriod.objects.filter(contract=OuterRef("pk"), status__in=OPEN_PERIOD_STATUSES).order_by("number")
    return Subquery(upcoming.values("due_date")[:1])


def waiting_schedule_of(contract_id: int) -> ActivationSchedule | None:
    """The schedule the pages show for a contract held back by its rail's pre-debit notices
    (exports read plain rows, so they ask per waiting row; the others need no lookup)."""
    contract = Contract.objects.select_related("payment_method", "plan_version").filter(pk=contract_id).first()
    return waiting_schedule(contract) if contract is not None else None


def contract_list(
    *, query: str = "", status: str = "", plan: str = "", standing: str = "", due_before: date | None = None,
    ending_soon_until: date | None = None,
) -> QuerySet[Contract]:  # fmt: skip
    """Contracts as the list's filters ask, newest first, each with its next open debit date.

    The next date is a per-row lookup (the period index), not a GROUP BY over every
    period of the shop: a page computes it for its 25 rows, an export streams it."""
    contracts = Contract.objects.select_related("customer", "pet", "plan_version__plan", "payment_method").annotate(
        next_due=next_due_subquery()
    )
    if status:
        contracts = contracts.filter(status=status)
    if plan:
        contracts = contracts.filter(plan_version__plan__code=plan)
    if standing:
        contracts = contracts.filter(customer__standing=standing)
    if due_before:
        contracts = contracts.filter(next_due__lte=due_before)
    if ending_soon_until:
        contracts = contracts.filter(
            status="active", periods_set__number=F("periods"), periods_set__due_date__lte=ending_soon_until
        )
    query = (query or "").strip()
    if query:
        contracts = contracts.filter(
            Q(customer__name__icontains=query) | Q(customer__phone__contains=query) | Q(pet__name__icontains=query)
        )
    return contracts.order_by("-created_at", "-id")
