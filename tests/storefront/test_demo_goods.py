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
    first = demo_goods_load(wait_seconds=5, slugs=[shop.slug], base_url=sandbox_warehouse.url)
    warehouse = Warehouse.objects.get(code="sandbox")
    assert (warehouse.status, warehouse.last_check_ok) == ("active", True)
    assert WarehouseSku.objects.filter(warehouse=warehouse).count() == 1470
    assert list(WarehouseLink.objects.values_list("shop_id", "warehouse_id")) == [(shop.pk, warehouse.pk)]
    with schema_context(shop.schema_name):
        products = list(Product.objects.select_related("warehouse_sku"))
        assert len(products) == PER_CATEGORY * len(SkuCategory.values)
        assert all(p.price_minor == p.warehouse_sku.cost_minor * 180 // 100 and p.is_listed for p in products)
    with schema_context(other_shop.schema_name):
        assert Product.objects.count() == 0  # not a demo shop here
    connection.set_schema_to_public()
    second = demo_goods_load(wait_seconds=5, slugs=[shop.slug], base_url=sandbox_warehouse.url)
    assert second.notes == [] and len(first.notes) == 2
    assert Warehouse.objects.count() == 1 and WarehouseLink.objects.count() == 1
    with schema_context(shop.schema_name):
        assert Product.objects.count() == len(products)


def test_without_a_secret_nothing_is_registered(db, monkeypatch):
    monkeypatch.delenv("PAWPACT_WAREHOUSE_SECRET", raising=False)
    report = demo_goods_load(wait_seconds=0)
    assert Warehouse.objects.count() == 0 and "PAWPACT_WAREHOUSE_SECRET" in report.notes[0]
