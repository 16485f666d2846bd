"""Committed demand: plan boxes due this month and the next two, per SKU, from contracts that
still ship; summed per warehouse for the console and sent to the warehouse; each shop writes
only its own rows."""
from datetime import UTC, date, datetime

from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import DebitPeriod
from pawpact.core.clock import FixedClock
from pawpact.storefront.services.catalog import plan_box_set
from pawpact.storefront.services.demand import demand_compute, month_starts
from pawpact.warehouses.forecast import committed_demand, forecast_push
from pawpact.warehouses.models import Forecast
from tests.billing.debits.factories import contract_create
from tests.conftest import SHOP_PASSWORD

BOX = [("FC-0002", 1), ("S-0001", 2)]


def _clock():
    return FixedClock(datetime(2026, 2, 10, 4, 0, tzinfo=UTC))


def _contracts(count: int, *, status=ContractStatus.ACTIVE):
    contracts = [contract_create(status=status) for _ in range(count)]
    for contract in contracts:
        plan_box_set(plan_version=contract.plan_version, items=BOX)
    return contracts


def test_month_starts_cross_the_year():
    assert month_starts(date(2026, 11, 30)) == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


def test_demand_counts_unpaid_periods_of_shipping_contracts_per_sku_and_month(shop, other_shop, linked, sandbox_warehouse, relay):
    with schema_context(shop.schema_name):
        active = _contracts(2)
        _contracts(1, status=ContractStatus.TERMINATED_EARLY)
        due = dict(DebitPeriod.objects.filter(contract=active[0]).values_list("number", "due_date"))
        # The first contract paid February already: that box exists, it is no longer demand.
        DebitPeriod.objects.filter(contract=active[0], due_date__month=2, due_date__year=2026).update(status=PeriodStatus.PAID)
        written = demand_compute(clock=_clock())
        rows = sorted(Forecast.objects.filter(shop=shop).values_list("sku__sku", "month", "quantity"))
    months = sorted({d.replace(day=1) for d in due.values() if d >= _clock().today() and d < month_starts(_clock().today())[-1]})
    assert len(months) == 3 and written == 6
    expected = []
    for month in months:
        boxes = 1 if month.month == 2 else 2
        expected += [("FC-0002", month, boxes), ("S-0001", month, 2 * boxes)]
    assert rows == sorted(expected)
    with schema_context(other_shop.schema_name):
        assert demand_compute(clock=_clock()) == 0  # another shop's run leaves this shop's rows alone
    assert Forecast.objects.filter(shop=shop).count() == 6 and not Forecast.objects.filter(shop=other_shop).exists()
    head, table = committed_demand(warehouse=linked)
    assert head == months and [(r.sku, r.by_month) for r in table] == [("S-0001", [2, 4, 4]), ("FC-0002", [1, 2, 2])]
    assert forecast_push(warehouse=linked) == 6
    sent = sandbox_warehouse.control("orders")["forecast"]
    assert sorted((i["sku"], i["month"], i["quantity"]) for i in sent["items"]) == sorted(
        (sku, f"{month:%Y-%m}", quantity) for sku, month, quantity in expected
    )
    with schema_context(shop.schema_name):
        for contract in active:
            contract.status = ContractStatus.TERMINATED_EARLY
            contract.save(update_fields=["status"])
        assert demand_compute(clock=_clock()) == 0
    assert not Forecast.objects.filter(shop=shop).exists()


def test_console_shows_committed_demand_to_platform_staff(shop, linked, public_client):
    with schema_context(shop.schema_name):
        _contracts(1)
        demand_compute(clock=_clock())
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    page = public_client.get(f"/console/warehouses/{linked.pk}/").content.decode()
    assert "Committed demand" in page and "Counts 1 shop with boxes due" in page
    # The table shows this month and the next two; rows computed for months long past are not demand now
    # (the lines shown are covered in test_demand_console).
    assert "<th>2026-02</th>" not in page and "No plan boxes due in the next three months." in page
