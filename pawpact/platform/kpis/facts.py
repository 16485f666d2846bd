"""A shop's facts, from drained events only: PlatformEvent rows in the public schema.

The platform never reads a shop's schema here: the outbox drain has copied the shop's
events into PlatformEvent (one row per shop and outbox id), and everything below is a
fold over those rows. Events are attributed to time by `occurred_at` (the outbox row's
creation time, i.e. the moment of the fact), in the platform's time zone.

Payloads read (docs/kpis.md has the same list for humans); billing emits the contract, debit and
period events:

contract.signed      when a contract starts (billing.services.activation.contract_signed_payload):
                     {contract_uuid, customer_uuid, plan_code, plan_version, monthly_amount_minor,
                      periods, total_minor, currency, signed_at}
contract.terminated  a contract ended, for any reason (billing.services.termination.terminated_payload):
                     {contract_uuid, reason, paid_periods, periods, remaining_minor, penalty_minor,
                      refund_minor, currency, at}; reason is completion | early_termination |
                     pet_loss | cooling_off | default | shop_closure
contract.renewed     an accepted renewal offer became the next contract (billing.services.renewal):
                     {contract_uuid (the old one), renewal_contract_uuid, at}
debit.paid           a debit attempt's answer (billing.services.debits.debit_event_payload):
debit.failed         {contract_uuid, period_number, amount_minor, currency, attempt_number,
                      outcome, at[, decline_type]}
period.overdue       a period became overdue / was paid after being overdue / was written off
period.recovered     as bad debt (billing.services.standing.period_event_payload, dunning):
period.written_off   {contract_uuid, customer_uuid, period_number, amount_minor, currency, at}
complaint.opened     {complaint_uuid, customer_uuid, contract_uuid (optional), category, at}
complaint.resolved   counted only: with complaint.opened, whether the month has complaint data
order.paid           an ordinary (non-plan) order was paid:
                     {order_uuid, customer_uuid, amount_minor, currency, at}
order.refunded       money of a paid order given back: {customer_uuid, amount_minor, ...}
membership.charged   a paid membership's period was paid (loyalty.paid_membership):
                     {membership_uuid, customer_uuid, amount_minor, currency, ...}
membership.refunded  a membership period's charge given back: {customer_uuid, amount_minor, ...}

Orders and paid memberships are the shop's non-plan revenue: both count in total revenue
and in their customers' lifetime value, net of what was given back.

Unknown keys are ignored and missing optional keys read as their default, so a payload
can grow without breaking the facts.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, Q, Sum, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock, local_midnight
from pawpact.core.errors import ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.months import month_add, month_start
from pawpact.platform.errors import NotAShop
from pawpact.platform.kpis.definitions import kpi_values, to_json
from pawpact.platform.models import PlatformEvent, ShopMonthlyKpi
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import platform_livemode

COMPLETION = "completion"  # contract.terminated reason of a contract that ran its course
LIFECYCLE_KINDS = (
    EventKind.CONTRACT_SIGNED,
    EventKind.CONTRACT_TERMINATED,
    EventKind.CONTRACT_RENEWED,
    EventKind.PERIOD_OVERDUE,
    EventKind.PERIOD_RECOVERED,
    EventKind.PERIOD_WRITTEN_OFF,
)
RISK_WINDOW = timedelta(days=30)  # flows (debits, write-offs, complaints) of the daily risk figures


@dataclass(frozen=True)
class Facts:
    """The counts and sums behind the KPIs, for one shop and one window [start, end).

    Stocks (active/overdue contracts) are taken at `end`; flows are summed over the window.
    """

    currency: str = "CNY"
    signings: int = 0
    plan_revenue_minor: int = 0
    total_revenue_minor: int = 0
    debits_attempted: int = 0
    debits_succeeded: int = 0
    active_contracts: int = 0
    overdue_contracts: int = 0
    receivable_minor: int = 0
    bad_debt_minor: int = 0
    complaints: int = 0
    complaints_resolved: int = 0
    customers: int = 0
    renewals_due: int = 0
    renewals: int = 0
    plan_customer_ltv_minor: int = 0
    ordinary_customer_ltv_minor: int = 0


# --- month and day bounds in the platform's time zone ------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant of the month, first instant of the next), in the platform's time zone."""
    first = month_start(month)
    return local_midnight(first), local_midnight(month_add(first, 1))


def day_end(day: date) -> datetime:
    return local_midnight(day + timedelta(days=1))


# --- the fold ----------------------------------------------------------------------------


def _amount():
    return Cast(KT("payload__amount_minor"), BigIntegerField())


def _average(total: int, count: int) -> int:
    if not count:
        return 0
    return int((Decimal(total) / Decimal(count)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def facts_between(*, shop_id: int, start: datetime, end: datetime, with_ltv: bool = True) -> Facts:
    """Fold a shop's drained events into facts: flows in [start, end), stocks at `end`.

    Five queries whatever the shop's size: the contracts' life events up to `end`
    (small: a few per contract), and SQL aggregates for debits, orders and complaints.
    """
    # Facts of the platform's own mode only: test-mode contracts never enter live KPIs,
    # benchmarks or reports.
    events = PlatformEvent.objects.filter(shop_id=shop_id, occurred_at__lt=end, livemode=platform_livemode())
    in_window = events.filter(occurred_at__gte=start)
    lifecycle = _lifecycle_replay(events, start=start)
    active = lifecycle.active()
    debits = _debit_totals(in_window)
    order_revenue, order_customers = _order_totals(in_window)
    complaints = in_window.filter(kind=EventKind.COMPLAINT_OPENED).count()
    complaints_resolved = in_window.filter(kind=EventKind.COMPLAINT_RESOLVED).count()
    customers = {lifecycle.customer_of[contract] for contract in active} | order_customers
    customers.discard(None)
    plan_revenue = debits["collected"] or 0

    plan_ltv = ordinary_ltv = 0
    if with_ltv:
        plan_ltv, ordinary_ltv = _lifetime_values(events, plan_customers=set(lifecycle.customer_of.values()) - {None})

    return Facts(
        currency=lifecycle.currency or "CNY",
        signings=lifecycle.signings,
        plan_revenue_minor=plan_revenue,
        total_revenue_minor=plan_revenue + order_revenue,
        debits_attempted=debits["attempted"],
        debits_succeeded=debits["succeeded"],
        active_contracts=len(active),
        overdue_contracts=len(lifecycle.overdue(active)),
        receivable_minor=debits["receivable"] or 0,
        bad_debt_minor=lifecycle.bad_debt_minor,
        complaints=complaints,
        complaints_resolved=complaints_resolved,
        customers=len(customers),
        renewals_due=len(lifecycle.completed_in_window),
        renewals=len(lifecycle.completed_in_window & lifecycle.renewed),
        plan_customer_ltv_minor=plan_ltv,
        ordinary_customer_ltv_minor=ordinary_ltv,
    )


@dataclass
class _Lifecycle:
    """Where every contract stands at the end of the window, and what happened to them in it."""

    start: datetime
    customer_of: dict[str, str | None] = field(default_factory=dict)  # contract → customer, every contract signed
    renewed: set[str] = field(default_factory=set)
    terminated: set[str] = field(default_factory=set)
    completed_in_window: set[str] = field(default_factory=set)
    open_overdue: set[tuple[str, object]] = field(default_factory=set)  # (contract, period number)
    signings: int = 0  # in the window
    bad_debt_minor: int = 0  # written off in the window
    currency: str | None = None  # of the first contract signed

    def apply(self, kind: str, occurred_at: datetime, payload: dict) -> None:
        contract = str(payload.get("contract_uuid", ""))
        period = (contract, payload.get("period_number"))
        if kind == EventKind.CONTRACT_SIGNED:
            self.customer_of[contract] = payload.get("customer_uuid")
            self.currency = self.currency or payload.get("currency")
            if occurred_at >= self.start:
                self.signings += 1
        elif kind == EventKind.CONTRACT_TERMINATED:
            self.terminated.add(contract)
            if occurred_at >= self.start and payload.get("reason") == COMPLETION:
                self.completed_in_window.add(contract)
        elif kind == EventKind.CONTRACT_RENEWED:
            self.renewed.add(contract)
        elif kind == EventKind.PERIOD_OVERDUE:
            self.open_overdue.add(period)
        elif kind == EventKind.PERIOD_RECOVERED:
            self.open_overdue.discard(period)
        elif kind == EventKind.PERIOD_WRITTEN_OFF:
            self.open_overdue.discard(period)  # no longer owed: bad debt
            if occurred_at >= self.start:
                self.bad_debt_minor += int(payload.get("amount_minor") or 0)

    def active(self) -> set[str]:
        return {contract for contract in self.customer_of if contract not in self.terminated}

    def overdue(self, active: set[str]) -> set[str]:
        return {contract for contract, _period in self.open_overdue if contract in active}


def _lifecycle_replay(events, *, start: datetime) -> _Lifecycle:
    """The contracts' life events in the order they happened (one query, read in chunks)."""
    lifecycle = _Lifecycle(start=start)
    rows = (
        events.filter(kind__in=LIFECYCLE_KINDS)
        .order_by("occurred_at", "id")
        .values_list("kind", "occurred_at", "payload")
    )
    for kind, occurred_at, payload in rows.iterator(chunk_size=5000):
        lifecycle.apply(kind, occurred_at, payload)
    return lifecycle


def _debit_totals(in_window) -> dict:
    """Debit attempts and their outcome; the receivable counts each period's first attempt only."""
    return in_window.filter(kind__in=(EventKind.DEBIT_PAID, EventKind.DEBIT_FAILED)).aggregate(
        attempted=Count("id"),
        succeeded=Count("id", filter=Q(kind=EventKind.DEBIT_PAID)),
        collected=Sum(_amount(), filter=Q(kind=EventKind.DEBIT_PAID)),
        receivable=Sum(_amount(), filter=Q(payload__attempt_number=1)),
    )


REFUND_KINDS = (EventKind.ORDER_REFUNDED, EventKind.MEMBERSHIP_REFUNDED)
PAID_KINDS = (EventKind.ORDER_PAID, EventKind.MEMBERSHIP_CHARGED)
# Money of the shop outside plans: ordinary orders and paid memberships, with their refunds.
ORDER_MONEY = (*PAID_KINDS, *REFUND_KINDS)


def _net_order_amount():
    """An order's or membership's money net of what was given back: a refund counts negative
    (in the window it happened in), so a cancelled order adds nothing to revenue or LTV."""
    return Case(When(kind__in=REFUND_KINDS, then=-_amount()), default=_amount(), output_field=BigIntegerField())


def _order_totals(in_window) -> tuple[int, set[str | None]]:
    """Orders' and memberships' revenue net of refunds, and the customers who paid them."""
    orders = in_window.filter(kind__in=PAID_KINDS)
    revenue = in_window.filter(kind__in=ORDER_MONEY).aggregate(total=Sum(_net_order_amount()))["total"] or 0
    customers = set(orders.order_by().values_list(KT("payload__customer_uuid"), flat=True).distinct())
    return revenue, customers


def _lifetime_values(events, *, plan_customers: set[str]) -> tuple[int, int]:
    """Average revenue per customer to date: plan customers (every debit they paid plus
    their orders and memberships) and ordinary customers (orders and memberships only,
    never signed a plan)."""
    plan_total = events.filter(kind=EventKind.DEBIT_PAID).aggregate(total=Sum(_amount()))["total"] or 0
    ordinary_total = ordinary_customers = 0
    by_customer = (
        events.filter(kind__in=ORDER_MONEY)
        .order_by()
        .values(customer=KT("payload__customer_uuid"))
        .annotate(total=Sum(_net_order_amount()))
        .values_list("customer", "total")
    )
    for customer, total in by_customer:
        if customer in plan_customers:
            plan_total += total or 0
        else:
            ordinary_total += total or 0
            ordinary_customers += 1
    return _average(plan_total, len(plan_customers)), _average(ordinary_total, ordinary_customers)


def risk_facts(*, shop_id: int, day: date) -> Facts:
    """The daily risk figures: stocks at the end of `day`, flows over the 30 days ending then."""
    end = day_end(day)
    return facts_between(shop_id=shop_id, start=end - RISK_WINDOW, end=end, with_ltv=False)


# --- the service -------------------------------------------------------------------------

FACT_FIELDS = [name for name in Facts.__dataclass_fields__]


def kpi_facts_compute(*, shop: Shop, month: date, clock: Clock = default_clock) -> ShopMonthlyKpi:
    """Fill (or refill) the shop's ShopMonthlyKpi for `month` from its drained events.

    An upsert on (shop, month): running it twice leaves one row with the same figures.
    A month still running gives month-to-date figures (stocks as of now).
    """
    month = month_start(month)
    if month > month_start(clock.today()):
        raise ValidationFailed(
            _("KPIs cannot be computed for a month that has not started."), fields={"month": [month.isoformat()]}
        )
    if shop.is_platform:
        raise NotAShop(_("The public site has no KPIs."))
    start, end = month_bounds(month)
    facts = facts_between(shop_id=shop.pk, start=start, end=end)
    values = {kpi: to_json(value) for kpi, value in kpi_values(facts).items()}
    row = ShopMonthlyKpi(shop=shop, month=month, values=values, computed_at=clock.now(), **asdict(facts))
    with transaction.atomic():
        ShopMonthlyKpi.objects.bulk_create(
            [row],
            update_conflicts=True,
            unique_fields=["shop", "month"],
            update_fields=[*FACT_FIELDS, "values", "computed_at"],
        )
    return ShopMonthlyKpi.objects.get(shop=shop, month=month)
