"""Customer standing (DESIGN "State machines"): current → grace → overdue → default.

A customer's standing follows their *delinquent* periods: unpaid periods whose
debit failed (FAILED or RETRYING, or a retry in flight on a period already
overdue) on an active contract, or still owed on a defaulted one.

- grace:   a delinquent period is still within BillingSettings.grace_days of its due date;
- overdue: a delinquent period is past its grace (its first overdue day is
           due_date + grace_days + 1: with the default grace of 0 days, the day after
           the due date is "day 1 overdue");
- default: a period has been overdue for default_after_days, or debt of the customer
           was written off (default is then sticky: written-off debt is not recovered);
- current: nothing of the above (recovery releases the holds, see pawpact.billing.holds).

Moving forward goes one step at a time along STANDING_TRANSITIONS (a refresh that
finds a customer two steps further walks both edges); moving back is allowed to any
better standing. `customer_standing_transition` is the one service that changes
the standing: it locks the customer row and refuses any other move with
IllegalTransition.

`customer_standing_refresh` also keeps the per-period facts the platform needs:
the first time a period is overdue it gets `overdue_since` and a period.overdue
outbox row; when an overdue period is paid, a period.recovered row and
`overdue_since` cleared again (so the pair is emitted exactly once, under the
period's lock). Open call tasks of periods that are no longer delinquent are
cancelled with a note.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from pawpact.billing.enums import CallTaskStatus, ContractStatus, PeriodStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import BillingSettings, CallTask, DebitPeriod
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import EventKind
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.outbox.services import outbox_emit

# Forward one step at a time; back to any better standing.
STANDING_TRANSITIONS: dict[str, frozenset[str]] = {
    CustomerStanding.CURRENT: frozenset({CustomerStanding.GRACE}),
    CustomerStanding.GRACE: frozenset({CustomerStanding.OVERDUE, CustomerStanding.CURRENT}),
    CustomerStanding.OVERDUE: frozenset(
        {CustomerStanding.DEFAULT, CustomerStanding.GRACE, CustomerStanding.CURRENT}
    ),
    CustomerStanding.DEFAULT: frozenset(
        {CustomerStanding.OVERDUE, CustomerStanding.GRACE, CustomerStanding.CURRENT}
    ),
}
STANDING_ORDER: tuple[str, ...] = (
    CustomerStanding.CURRENT,
    CustomerStanding.GRACE,
    CustomerStanding.OVERDUE,
    CustomerStanding.DEFAULT,
)

# Unpaid with a failed debit: what makes a customer late.
DELINQUENT_STATUSES = (PeriodStatus.FAILED, PeriodStatus.RETRYING)
# An overdue period that ends paid (by a debit, or by the deposit on default) has recovered.
RECOVERED_STATUSES = (PeriodStatus.PAID, PeriodStatus.PAID_BY_DEPOSIT)
# A defaulted contract's overdue periods stay owed (termination.contract_default) until written off.
DEBT_CONTRACT_STATUSES = (ContractStatus.ACTIVE, ContractStatus.DEFAULTED)


def standing_transition_check(*, current: str, target: str) -> None:
    if target not in STANDING_TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            _("A customer in %(current)s standing cannot move to %(target)s.")
            % {"current": CustomerStanding(current).label, "target": CustomerStanding(target).label}
        )


def customer_standing_transition(*, customer: Customer, target: str, clock: Clock = default_clock) -> Customer:
    """Move one customer's standing along one edge of STANDING_TRANSITIONS, under the row lock."""
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        standing_transition_check(current=locked.standing, target=target)
        locked.standing = target
        locked.standing_since = clock.now()
        locked.save(update_fields=["standing", "standing_since"])
    customer.standing, customer.standing_since = locked.standing, locked.standing_since
    return locked


def standing_path(*, current: str, target: str) -> list[str]:
    """The edges to walk from `current` to `target`: every step forward, or one step back."""
    if current == target:
        return []
    here, there = STANDING_ORDER.index(current), STANDING_ORDER.index(target)
    if there < here:
        return [target]
    return list(STANDING_ORDER[here + 1 : there + 1])


# --- Assessment: what the periods say -----------------------------------------------------


def overdue_start(*, due_date: date, grace_days: int) -> date:
    """A delinquent period's first overdue day ("day 1 overdue")."""
    return due_date + timedelta(days=grace_days + 1)


def days_overdue(*, since: date, today: date) -> int:
    """1 on the first overdue day, 0 before it."""
    return max((today - since).days + 1, 0)


@dataclass(frozen=True)
class StandingAssessment:
    target: str
    overdue_period_ids: list[int] = field(default_factory=list)  # oldest first


def standing_assess(
    *, delinquent: list[DebitPeriod], has_written_off_debt: bool, settings: BillingSettings, today: date
) -> StandingAssessment:
    """The standing the customer's periods call for (pure: no queries)."""
    overdue = sorted(
        (p for p in delinquent if today >= overdue_start(due_date=p.due_date, grace_days=settings.grace_days)),
        key=lambda p: (p.due_date, p.pk),
    )
    ids = [p.pk for p in overdue]
    if has_written_off_debt:
        return StandingAssessment(CustomerStanding.DEFAULT, ids)
    if overdue:
        oldest = overdue_start(due_date=overdue[0].due_date, grace_days=settings.grace_days)
        if (today - oldest).days >= settings.default_after_days:
            return StandingAssessment(CustomerStanding.DEFAULT, ids)
        return StandingAssessment(CustomerStanding.OVERDUE, ids)
    if delinquent:
        return StandingAssessment(CustomerStanding.GRACE, ids)
    return StandingAssessment(CustomerStanding.CURRENT, ids)


def delinquent_periods_q(prefix: str = "") -> Q:
    """Delinquent periods (see the module doc), as a filter on DebitPeriod (or a relation to it)."""
    in_flight_retry = Q(**{f"{prefix}status": PeriodStatus.ATTEMPTED, f"{prefix}overdue_since__isnull": False})
    return (Q(**{f"{prefix}status__in": DELINQUENT_STATUSES}) | in_flight_retry) & Q(
        **{f"{prefix}contract__status__in": DEBT_CONTRACT_STATUSES}
    )


@dataclass
class StandingRefresh:
    customer: Customer
    before: str
    after: str
    newly_overdue: list[DebitPeriod] = field(default_factory=list)
    recovered: list[DebitPeriod] = field(default_factory=list)
    overdue: list[DebitPeriod] = field(default_factory=list)  # every overdue period, oldest first

    @property
    def anchor(self) -> DebitPeriod | None:
        """The oldest overdue period: dunning escalates on it, once per customer."""
        return self.overdue[0] if self.overdue else None


def customer_standing_refresh(
    *, customer: Customer, settings: BillingSettings | None = None, clock: Clock = default_clock
) -> StandingRefresh:
    """Bring one customer's standing and overdue facts up to date. Idempotent: a second
    run on the same day writes nothing."""
    settings = settings or billing_settings_get()
    today, now = clock.today(), clock.now()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        before = locked.standing
        periods = list(
            DebitPeriod.objects.select_for_update(of=("self",))
            .select_related("contract")
            .filter(contract__customer=locked)
            .filter(delinquent_periods_q() | Q(status__in=RECOVERED_STATUSES, overdue_since__isnull=False))
            .order_by("due_date", "id")
        )
        delinquent = [p for p in periods if p.status not in RECOVERED_STATUSES]
        written_off = DebitPeriod.objects.filter(
            contract__customer=locked, status=PeriodStatus.WRITTEN_OFF
        ).exists()
        assessment = standing_assess(
            delinquent=delinquent, has_written_off_debt=written_off, settings=settings, today=today
        )
        refresh = StandingRefresh(customer=locked, before=before, after=assessment.target)
        by_id = {p.pk: p for p in delinquent}
        for period_id in assessment.overdue_period_ids:
            period = by_id[period_id]
            refresh.overdue.append(period)
            if period.overdue_since is None:
                period.overdue_since = overdue_start(due_date=period.due_date, grace_days=settings.grace_days)
                period.save(update_fields=["overdue_since"])
                outbox_emit(
                    kind=EventKind.PERIOD_OVERDUE,
                    aggregate_uuid=period.contract.uuid,
                    payload=period_event_payload(period=period, customer=locked, at=now),
                    livemode=period.contract.livemode,
                )
                refresh.newly_overdue.append(period)
        for period in periods:
            if period.status in RECOVERED_STATUSES:
                period_recovered_emit(period=period, customer=locked, at=now)
                refresh.recovered.append(period)
        _call_tasks_close_settled(customer=locked, now=now)
        for step in standing_path(current=before, target=assessment.target):
            locked = customer_standing_transition(customer=locked, target=step, clock=clock)
        refresh.customer = locked
    customer.standing, customer.standing_since = locked.standing, locked.standing_since
    return refresh


def period_event_payload(*, period: DebitPeriod, customer: Customer, at: datetime) -> dict:
    return {
        "contract_uuid": str(period.contract.uuid),
        "customer_uuid": str(customer.uuid),
        "period_number": period.number,
        "amount_minor": period.amount_minor,
        "currency": period.currency,
        "at": at.isoformat(),
    }


def period_recovered_emit(*, period: DebitPeriod, customer: Customer, at: datetime) -> None:
    """period.recovered for a locked period that was overdue; clears overdue_since, so once."""
    if period.overdue_since is None:
        return
    outbox_emit(
        kind=EventKind.PERIOD_RECOVERED,
        aggregate_uuid=period.contract.uuid,
        payload=period_event_payload(period=period, customer=customer, at=at),
        livemode=period.contract.livemode,
    )
    period.overdue_since = None
    period.next_retry_on = None
    period.save(update_fields=["overdue_since", "next_retry_on"])


def _call_tasks_close_settled(*, customer: Customer, now: datetime) -> None:
    """Open call/visit tasks whose period is paid, deferred or ended need no call any more."""
    settled = CallTask.objects.filter(customer=customer, status=CallTaskStatus.OPEN, period__isnull=False).exclude(
        Exists(DebitPeriod.objects.filter(delinquent_periods_q(), pk=OuterRef("period_id")))
    )
    settled.update(
        status=CallTaskStatus.CANCELLED,
        outcome_note=_("Closed automatically: the period is no longer overdue."),
        done_at=now,
    )


def customers_to_refresh_q() -> Q:
    """Customers whose standing may change today (for the daily run)."""
    has_delinquent = Exists(DebitPeriod.objects.filter(delinquent_periods_q(), contract__customer=OuterRef("pk")))
    has_recovered = Exists(
        DebitPeriod.objects.filter(
            contract__customer=OuterRef("pk"), status__in=RECOVERED_STATUSES, overdue_since__isnull=False
        )
    )
    return ~Q(standing=CustomerStanding.CURRENT) | has_delinquent | has_recovered
