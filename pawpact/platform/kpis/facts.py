"""A shop's facts, from drained events only: PlatformEvent rows in the public schema.

The platform never reads a shop's schema here: the outbox drain has copied the shop's
events into PlatformEvent (one row per shop and outbox id), and everything below is a
fold over those rows. Events are attributed to time by `occurred_at` (the outbox row's
creation time, i.e. the moment of the fact), in the platform's time zone.

Payloads read (docs/kpis.md has the same list for humans); billing emits all but the last two:

contract.signed      when a contract starts (billing.services.signing.contract_signed_payload):
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
order.paid           an ordinary (non-plan) order was paid:
                     {order_uuid, customer_uuid, amount_minor, currency, at}

Unknown keys are ignored and missing optional keys read as their default, so a payload
can grow without breaking the facts.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.months import month_add, month_start
from pawpact.platform.kpis.definitions import kpi_values, to_json
from pawpact.platform.models import PlatformEvent, ShopMonthlyKpi
from pawpact.tenants.models import Shop

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
    customers: int = 0
    renewals_due: int = 0
    renewals: int = 0
    plan_customer_ltv_minor: int = 0
    ordinary_customer_ltv_minor: int = 0


# --- month and day bounds in the platform's time zone ------------------------------------


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant of the month, first instant of the next), in the platform's time zone."""
    first = month_start(month)
    return _local_midnight(first), _local_midnight(month_add(first, 1))


def day_end(day: date) -> datetime:
    return _local_midnight(day + timedelta(days=1))


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
    events = PlatformEvent.objects.filter(shop_id=shop_id, occurred_at__lt=end)
    in_window = Q(occurred_at__gte=start)

    customer_of: dict[str, str | None] = {}  # contract → customer, every contract signed by `end`
    renewed: set[str] = set()  # contracts renewed by `end`
    terminated: set[str] = set()
    completed_in_window: set[str] = set()
    open_overdue: set[tuple[str, object]] = set()  # (contract, period number)
    signings = bad_debt = 0
    currency = None
    lifecycle = (
        events.filter(kind__in=LIFECYCLE_KINDS).order_by("occurred_at", "id").values_list("kind", "occurred_at", "payload")
    )
    for kind, occurred_at, payload in lifecycle.iterator(chunk_size=5000):
        contract = str(payload.get("contract_uuid", ""))
        period = (contract, payload.get("period_number"))
        if kind == EventKind.CONTRACT_SIGNED:
            customer_of[contract] = payload.get("customer_uuid")
            currency = currency or payload.get("currency")
            if occurred_at >= start:
                signings += 1
        elif kind == EventKind.CONTRACT_TERMINATED:
            terminated.add(contract)
            if occurred_at >= start and payload.get("reason") == COMPLETION:
                completed_in_window.add(contract)
        elif kind == EventKind.CONTRACT_RENEWED:
            renewed.add(contract)
        elif kind == EventKind.PERIOD_OVERDUE:
            open_overdue.add(period)
        elif kind == EventKind.PERIOD_RECOVERED:
            open_overdue.discard(period)
        elif kind == EventKind.PERIOD_WRITTEN_OFF:
            open_overdue.discard(period)  # no longer owed: bad debt
            if occurred_at >= start:
                bad_debt += int(payload.get("amount_minor") or 0)

    active = {contract for contract in customer_of if contract not in terminated}
    overdue = {contract for contract, _period in open_overdue if contract in active}

    debits = events.filter(in_window, kind__in=(EventKind.DEBIT_PAID, EventKind.DEBIT_FAILED)).aggregate(
        attempted=Count("id"),
        succeeded=Count("id", filter=Q(kind=EventKind.DEBIT_PAID)),
        collected=Sum(_amount(), filter=Q(kind=EventKind.DEBIT_PAID)),
        receivable=Sum(_amount(), filter=Q(payload__attempt_number=1)),
    )
    orders = events.filter(in_window, kind=EventKind.ORDER_PAID)
    order_revenue = orders.aggregate(total=Sum(_amount()))["total"] or 0
    order_customers = set(orders.order_by().values_list(KT("payload__customer_uuid"), flat=True).distinct())
    complaints = events.filter(in_window, kind=EventKind.COMPLAINT_OPENED).count()
    customers = {customer_of[contract] for contract in active} | order_customers
    customers.discard(None)
    plan_revenue = debits["collected"] or 0

    plan_ltv = ordinary_ltv = 0
    if with_ltv:
        plan_ltv, ordinary_ltv = _lifetime_values(events, plan_customers=set(customer_of.values()) - {None})

    return Facts(
        currency=currency or "CNY",
        signings=signings,
        plan_revenue_minor=plan_revenue,
        total_revenue_minor=plan_revenue + order_revenue,
        debits_attempted=debits["attempted"],
        debits_succeeded=debits["succeeded"],
        active_contracts=len(active),
        overdue_contracts=len(overdue),
        receivable_minor=debits["receivable"] or 0,
        bad_debt_minor=bad_debt,
        complaints=complaints,
        customers=len(customers),
        renewals_due=len(completed_in_window),
        renewals=len(completed_in_window & renewed),
        plan_customer_ltv_minor=plan_ltv,
        ordinary_customer_ltv_minor=ordinary_ltv,
    )


def _lifetime_values(events, *, plan_customers: set[str]) -> tuple[int, int]:
    """Average revenue per customer to date: plan customers (every debit they paid plus
    their orders) and ordinary customers (orders only, never signed a plan)."""
    plan_total = events.filter(kind=EventKind.DEBIT_PAID).aggregate(total=Sum(_amount()))["total"] or 0
    ordinary_total = ordinary_customers = 0
    by_customer = (
        events.filter(kind=EventKind.ORDER_PAID)
        .order_by()
        .values(customer=KT("payload__customer_uuid"))
        .annotate(total=Sum(_amount()))
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
        raise ValidationFailed(_("The public site has no KPIs."), code="not_a_shop")
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
