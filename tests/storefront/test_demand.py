"""Committed demand follows the contracts at once (not only at the nightly run) and counts only
the box set in force: a box changed once is not counted twice."""
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.storefront.services.catalog import plan_box_set
from pawpact.storefront.services.demand import demand_on_contract_change
from pawpact.warehouses.forecast import committed_demand
from pawpact.warehouses.models import Forecast
from tests.billing.debits.factories import contract_create
from tests.storefront.test_committed_demand import _clock


def test_a_signed_contract_shows_in_the_forecast_with_the_current_box_only(shop, other_shop, linked):
    subscribers = settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS
    name = "pawpact.storefront.services.demand.demand_on_contract_change"
    assert name in subscribers["contract.signed"] and name in subscribers["contract.terminated"]
    with schema_context(shop.schema_name):
        first, second = contract_create(), contract_create()
        plan_box_set(plan_version=first.plan_version, items=[("FC-0002", 3)])  # replaced below: not demand
        plan_box_set(plan_version=first.plan_version, items=[("FC-0002", 1), ("S-0001", 2)])
        plan_box_set(plan_version=second.plan_version, items=[("L-0001", 1)])
        demand_on_contract_change(payload={"contract_uuid": str(second.uuid)}, clock=_clock())
    months, rows = committed_demand(warehouse=linked)
    assert [f"{m:%Y-%m}" for m in months] == ["2026-02", "2026-03", "2026-04"]
    assert [(row.sku, row.by_month) for row in rows] == [
        ("S-0001", [2, 2, 2]), ("FC-0002", [1, 1, 1]), ("L-0001", [1, 1, 1])]
    with schema_context(other_shop.schema_name):
        demand_on_contract_change(payload={"contract_uuid": str(first.uuid)}, clock=_clock())
    assert Forecast.objects.filter(shop=shop).count() == 9 and not Forecast.objects.filter(shop=other_shop).exists()
