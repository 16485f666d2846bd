"""Cart and order lines answer the product's name in the request's language (`display_name`:
the catalog's English name for English, the stored Chinese one otherwise, each the other's
fallback) beside the stored `name`, which an order keeps as it was when placed."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PRODUCT, opaque_id
from pawpact.storefront.models import OrderLine
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import WarehouseSku
from tests.storefront.test_shop_api import ADDRESS, FOOD, LITTER, _buyer, _checkout


@pytest.fixture
def named(shop, linked):
    """Food with both names, litter with its Chinese name alone."""
    WarehouseSku.objects.filter(warehouse=linked, sku=FOOD).update(name="成猫粮 2kg", name_en="Adult cat food 2 kg")
    WarehouseSku.objects.filter(warehouse=linked, sku=LITTER).update(name="豆腐猫砂", name_en="")
    with schema_context(shop.schema_name):
        return {sku: opaque_id(PRODUCT, product_save(sku=sku, price_minor=price).pk)
                for sku, price in ((FOOD, 12_900), (LITTER, 19_990))}  # fmt: skip


def _names(lines) -> list[tuple[str, str]]:
    return [(line["name"], line["display_name"]) for line in lines]


def test_cart_and_order_lines_answer_the_name_in_the_language_asked_for(shop, named):
    cache.clear()
    client, _customer, method_id = _buyer(shop, "ann@alpha.test", "13800138001")
    client.put("/api/v1/shop/address", ADDRESS, format="json")
    for sku in (FOOD, LITTER):
        client.post("/api/v1/shop/cart/lines", {"product_id": named[sku]}, format="json")
    english = client.get("/api/v1/shop/cart", HTTP_ACCEPT_LANGUAGE="en").json()["lines"]
    chinese = client.get("/api/v1/shop/cart", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["lines"]
    assert _names(english) == [("成猫粮 2kg", "Adult cat food 2 kg"), ("豆腐猫砂", "豆腐猫砂")]
    assert _names(chinese) == [("成猫粮 2kg", "成猫粮 2kg"), ("豆腐猫砂", "豆腐猫砂")]

    order = _checkout(client, method_id).json()
    assert _names(order["lines"]) == [("成猫粮 2kg", "Adult cat food 2 kg"), ("豆腐猫砂", "豆腐猫砂")]
    # The catalog renames the food afterwards: the order keeps the name it was placed with.
    WarehouseSku.objects.filter(sku=FOOD).update(name="成猫粮 新款")
    url = f"/api/v1/shop/orders/{order['uuid']}"
    assert _names(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["lines"])[0] == ("成猫粮 2kg", "成猫粮 2kg")
    assert _names(client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["lines"])[0] == ("成猫粮 2kg", "Adult cat food 2 kg")
    with schema_context(shop.schema_name):
        assert sorted(OrderLine.objects.values_list("name", flat=True)) == ["成猫粮 2kg", "豆腐猫砂"]
