"""Committed demand: the plan boxes a shop's contracts in force will ship in the coming
months, per SKU, written to the public forecast table that the platform console shows and
the warehouse receives (PUT /v1/forecast). Only periods not yet paid count (a paid period's
box exists already), and only contracts that still ship (a terminated one ships nothing)."""
from collections import defaultdict
from datetime import date

from django.db import transaction

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.models import DebitPeriod
from pawpact.core.clock import Clock, default_clock
from pawpact.storefront.models import PlanBoxItem
from pawpact.storefront.services.catalog import current_shop, linked_warehouse_id
from pawpact.storefront.services import plan_boxes
from pawpact.warehouses.forecast import forecast_push_request, month_starts
from pawpact.warehouses.models import Forecast

UPCOMING = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.ATTEMPTED, PeriodStatus.FAILED,
            PeriodStatus.RETRYING, PeriodStatus.DEFERRED)  # fmt: skip


def demand_compute(*, clock: Clock = default_clock) -> int:
    """Replace this shop's forecast rows with the boxes due this month and the next two
    (by each period's due date). Returns how many (SKU, month) rows were written."""
    warehouse_id = linked_warehouse_id()
    starts = month_starts(clock.today())
    periods = DebitPeriod.objects.filter(
        contract__status__in=plan_boxes.SHIPPING_CONTRACT_STATUSES, status__in=UPCOMING,
        due_date__gte=clock.today(), due_date__lt=starts[-1],
    ).values_list("contract__plan_version_id", "due_date")  # fmt: skip
    boxes: dict[tuple[int, date], int] = defaultdict(int)
    for version_id, due in periods:
        boxes[(version_id, due.replace(day=1))] += 1
    items = defaultdict(list)
    for version_id, sku_id, quantity in PlanBoxItem.objects.filter(
        plan_version_id__in={version for version, _month in boxes}, warehouse_sku__warehouse_id=warehouse_id or 0,
        valid_until__isnull=True,  # the set in force: an ended one ships only for periods paid before it changed
    ).values_list("plan_version_id", "warehouse_sku_id", "quantity"):
        items[version_id].append((sku_id, quantity))
    demand: dict[tuple[int, date], int] = defaultdict(int)
    for (version_id, month), count in boxes.items():
        for sku_id, quantity in items[version_id]:
            demand[(sku_id, month)] += count * quantity
    shop, now = current_shop(), clock.now()
    with transaction.atomic():
        before = list(Forecast.objects.filter(shop=shop).values_list("warehouse_id", "sku_id", "month", "quantity"))
        Forecast.objects.filter(shop=shop).delete()
        Forecast.objects.bulk_create(
            Forecast(warehouse_id=warehouse_id, shop=shop, sku_id=sku_id, month=month, quantity=quantity, computed_at=now)
            for (sku_id, month), quantity in sorted(demand.items())
        )  # fmt: skip
        after = {(warehouse_id, sku_id, month, quantity) for (sku_id, month), quantity in demand.items()}
        if set(before) != after:
            # Any changed quantity is material: the warehouse stocks by these numbers.
            changed = {row[0] for row in set(before) ^ after if row[0] is not None}
            forecast_push_request(warehouse_ids=changed, clock=clock)
    return len(demand)


def demand_on_contract_change(*, payload: dict, clock: Clock = default_clock) -> None:
    """Subscriber of contract.signed and contract.terminated: the forecast follows the contracts
    in force at once, not only at the nightly run (a new shop's console would read empty until then)."""
    if linked_warehouse_id() is not None:
        demand_compute(clock=clock)


def demand_after_box_change() -> None:
    """A plan's box changed (call after catalog.plan_box_set, which this module builds on):
    recompute once the change is committed."""
    if linked_warehouse_id() is not None:
        transaction.on_commit(demand_compute)
