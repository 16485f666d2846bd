"""`./dev run`'s demo goods: the sandbox warehouse registered, checked, imported, linked to the
demo shops and some products on sale; a second start changes nothing."""
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.config.demo_goods import PER_CATEGORY, demo_goods_load
from pawpact.storefront.models import Product
from pawpact.warehouses.enums import SkuCategory
from pawpact.warehouses.models import Warehouse, WarehouseLink, WarehouseSku
from tests.storefront.conftest import SECRET


def test_demo_goods_are_loaded_once(shop, other_shop, sandbox_warehouse, monkeypatch):
    sandbox_warehouse.faults(down=False, slow_seconds=0, drop_callbacks=False)
    monkeypatch.setenv("PAWPACT_WAREHOUSE_SECRET", SECRET)
    connection.set_schema_to_public()
    said = []
    first = demo_goods_load(wait_seconds=5, slugs=[shop.slug], base_url=sandbox_warehouse.url, say=said.append)
    warehouse = Warehouse.objects.get(code="sandbox")
    assert (warehouse.status, warehouse.last_check_ok) == ("active", True)
    assert WarehouseSku.objects.filter(warehouse=warehouse).count() == 1470
    # Proper English names, and units the shop translates rather than sizes.
    toy = WarehouseSku.objects.get(warehouse=warehouse, sku="T-0008")
    assert (toy.name, toy.name_en, toy.unit) == ("灰色逗猫棒（中号）", "Grey teaser wand (medium)", "piece")
    units = WarehouseSku.objects.filter(warehouse=warehouse).order_by("unit").values_list("unit", flat=True).distinct()
    assert list(units) == ["bag", "can", "pack", "piece"]
    assert list(WarehouseLink.objects.values_list("shop_id", "warehouse_id")) == [(shop.pk, warehouse.pk)]
    with schema_context(shop.schema_name):
        products = list(Product.objects.select_related("warehouse_sku"))
        assert len(products) == PER_CATEGORY * len(SkuCategory.values)
        assert all(p.price_minor == p.warehouse_sku.cost_minor * 180 // 100 and p.is_listed for p in products)
    with schema_context(other_shop.schema_name):
        assert Product.objects.count() == 0  # not a demo shop here
    connection.set_schema_to_public()
    second = demo_goods_load(wait_seconds=5, slugs=[shop.slug], base_url=sandbox_warehouse.url)
    # Each step is said as it happens, and the count said is what the shop sells (not once per SKU).
    assert said == first.notes and first.notes[:3] == [
        "Importing the sandbox warehouse's catalog…", "Imported 1470 SKUs.", f"{shop.slug}: {len(products)} products on sale."]
    assert second.notes == [] and len(first.notes) == 4 and "box items set for 3 plans" in first.notes[3]
    assert Warehouse.objects.count() == 1 and WarehouseLink.objects.count() == 1
    with schema_context(shop.schema_name):
        assert Product.objects.count() == len(products)


def test_without_a_secret_nothing_is_registered(db, monkeypatch):
    monkeypatch.delenv("PAWPACT_WAREHOUSE_SECRET", raising=False)
    report = demo_goods_load(wait_seconds=0)
    assert Warehouse.objects.count() == 0 and "PAWPACT_WAREHOUSE_SECRET" in report.notes[0]


def test_demo_plans_get_box_items_and_paid_months_their_boxes(shop, sandbox_warehouse, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    """The demo's customers pay their first month at activation: their box is made and sent."""
    from pawpact.billing.enums import ContractStatus, PeriodStatus
    from pawpact.billing.models import DebitPeriod, PlanVersion
    from pawpact.storefront.models import Fulfilment, PlanBoxItem
    from pawpact.storefront.services.catalog import PLAN_MIN_MARGIN, plan_margins
    from tests.billing.debits.factories import contract_create

    sandbox_warehouse.faults(down=False, slow_seconds=0, drop_callbacks=False)
    monkeypatch.setenv("PAWPACT_WAREHOUSE_SECRET", SECRET)
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.ACTIVE)
        DebitPeriod.objects.filter(contract=contract, number=1).update(status=PeriodStatus.PAID)
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        demo_goods_load(wait_seconds=5, slugs=[shop.slug], base_url=sandbox_warehouse.url)
    with schema_context(shop.schema_name):
        active = PlanVersion.objects.filter(plan__is_active=True).values_list("plan_id", flat=True).distinct().count()
        margins = plan_margins()
        assert len(margins) == active and all(m.has_box and m.margin >= PLAN_MIN_MARGIN for m in margins)
        # Dearer plans get richer boxes: the box costs differ and rise with the monthly price.
        by_price = {}
        for m in margins:
            by_price.setdefault(m.plan_version.monthly_price_minor, set()).add(m.box_cost_minor)
        costs = [by_price[price] for price in sorted(by_price)]
        assert len(costs) >= 3 and all(len(same) == 1 for same in costs), by_price  # one price, one box
        rising = [next(iter(same)) for same in costs]
        assert rising == sorted(rising) and len(set(rising)) == len(rising), by_price
        assert PlanBoxItem.objects.filter(plan_version=contract.plan_version).exists()
        boxes = list(Fulfilment.objects.filter(contract=contract).values_list("period_number", "status", "hold_reason"))
        assert boxes == [(1, "sent", "")]
        assert contract.customer.shipping_address.city == "上海市"
