"""Committed demand reaches the warehouse the same day it changes: a contract signed or
terminated, or a plan box edited, asks for a push; pushes are debounced (a burst makes one),
go through the warehouse's forecast outbox row, are retried when the warehouse is down and
never resend a forecast the warehouse already has."""
from datetime import timedelta

import time_machine
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.core.clock import FixedClock
from pawpact.storefront.services.catalog import plan_box_set
from pawpact.storefront.services.demand import demand_after_box_change, demand_compute, demand_on_contract_change
from pawpact.warehouses.forecast import DEBOUNCE, forecast_digest, forecast_push_due
from pawpact.warehouses.models import ForecastPush
from tests.billing.debits.factories import contract_create
from tests.storefront.test_committed_demand import _clock

START = _clock().now()


def _at(minutes: float) -> FixedClock:
    return FixedClock(START + timedelta(minutes=minutes))


def _received(sandbox_warehouse) -> tuple[int, dict | None]:
    summary = sandbox_warehouse.control("orders")
    return summary["forecasts_received"], summary["forecast"]


def _signed(shop, items, *, minutes: float):
    with schema_context(shop.schema_name):
        contract = contract_create()
        plan_box_set(plan_version=contract.plan_version, items=items)
        demand_on_contract_change(payload={"contract_uuid": str(contract.uuid)}, clock=_at(minutes))
    return contract


def test_changes_push_the_forecast_once_per_window_and_retry_when_the_warehouse_is_down(
    shop, other_shop, linked, sandbox_warehouse
):
    count, _ = _received(sandbox_warehouse)
    first = _signed(shop, [("FC-0002", 1), ("S-0001", 2)], minutes=0)
    push = ForecastPush.objects.get(warehouse=linked)
    assert push.due_at == START + DEBOUNCE and push.sent_digest == ""
    assert forecast_push_due(clock=_at(4)) == 0 and _received(sandbox_warehouse)[0] == count  # still debouncing
    _signed(shop, [("L-0001", 1)], minutes=2)  # a second signing in the window: the same push
    assert ForecastPush.objects.get(warehouse=linked).due_at == START + DEBOUNCE

    assert forecast_push_due(clock=_at(5)) == 1
    received, forecast = _received(sandbox_warehouse)
    assert received == count + 1
    expected = [{"month": month, "sku": sku, "quantity": quantity} for month in ("2026-02", "2026-03", "2026-04")
                for sku, quantity in (("FC-0002", 1), ("L-0001", 1), ("S-0001", 2))]  # fmt: skip
    key = lambda item: (item["sku"], item["month"])
    assert sorted(forecast["items"], key=key) == sorted(expected, key=key)
    assert forecast["forecast_id"] == forecast_digest(expected)
    push = ForecastPush.objects.get(warehouse=linked)
    assert (push.due_at, push.sent_digest, push.attempts) == (None, forecast_digest(expected), 0)
    assert forecast_push_due(clock=_at(20)) == 0 and _received(sandbox_warehouse)[0] == count + 1

    with schema_context(shop.schema_name):
        demand_compute(clock=_at(30))  # the same demand computed again: nothing to tell the warehouse
    assert ForecastPush.objects.get(warehouse=linked).due_at is None
    with schema_context(other_shop.schema_name):
        demand_compute(clock=_at(30))  # another shop, no demand: this warehouse's push is not touched
    assert ForecastPush.objects.get(warehouse=linked).due_at is None

    with schema_context(shop.schema_name):
        first.status = ContractStatus.TERMINATED_EARLY
        first.save(update_fields=["status"])
        demand_on_contract_change(payload={"contract_uuid": str(first.uuid)}, clock=_at(40))
    sandbox_warehouse.faults(down=True)
    try:
        assert forecast_push_due(clock=_at(45)) == 0
    finally:
        sandbox_warehouse.faults(down=False)
    push = ForecastPush.objects.get(warehouse=linked)
    assert (push.attempts, push.due_at, push.sent_digest) == (1, START + timedelta(minutes=46), forecast_digest(expected))
    assert _received(sandbox_warehouse)[0] == count + 1
    assert forecast_push_due(clock=_at(46)) == 1
    received, forecast = _received(sandbox_warehouse)
    assert received == count + 2
    assert sorted((i["sku"], i["month"], i["quantity"]) for i in forecast["items"]) == [
        ("L-0001", month, 1) for month in ("2026-02", "2026-03", "2026-04")]
    assert ForecastPush.objects.get(warehouse=linked).due_at is None


def test_a_box_edit_asks_for_a_push_after_its_commit(shop, linked, sandbox_warehouse, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        contract = contract_create()
        plan_box_set(plan_version=contract.plan_version, items=[("FC-0002", 1)])
        demand_compute(clock=_clock())
    ForecastPush.objects.filter(warehouse=linked).update(due_at=None, sent_digest="pushed before")
    count, _ = _received(sandbox_warehouse)
    with time_machine.travel(START, tick=False), schema_context(shop.schema_name):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            plan_box_set(plan_version=contract.plan_version, items=[("FC-0002", 3)])
            demand_after_box_change()
        assert len(callbacks) >= 1
    push = ForecastPush.objects.get(warehouse=linked)
    assert push.due_at == START + DEBOUNCE
    # The task scheduled at commit (run at once by the test's eager worker) found it not due yet.
    assert _received(sandbox_warehouse)[0] == count
    assert forecast_push_due(clock=_at(5)) == 1
    _, forecast = _received(sandbox_warehouse)
    assert sorted((i["sku"], i["quantity"]) for i in forecast["items"]) == [("FC-0002", 3)] * 3
