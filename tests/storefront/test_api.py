"""The anonymous catalog API: what is on sale now, filters, the error shape, another shop's
host, and a query count that does not grow with the page (one SET search_path a request)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import PRODUCT, opaque_id
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import WarehouseSku
from pawpact.warehouses.stock import stock_apply
from tests.conftest import host_of


def _products(shop, warehouse, count: int) -> list[str]:
    skus = WarehouseSku.objects.filter(warehouse=warehouse, available__gt=0).order_by("sku")[:count]
    with schema_context(shop.schema_name):
        return [opaque_id(PRODUCT, product_save(sku=sku.sku, price_minor=max(sku.cost_minor * 2, 100)).pk, schema_name=shop.schema_name) for sku in skus]


def test_anonymous_list_shows_what_is_on_sale_now(shop, other_shop, linked):
    ids = _products(shop, linked, 3)
    client = APIClient(HTTP_HOST=host_of(shop))
    body = client.get("/api/v1/shop/products").json()
    assert [row["id"] for row in body["results"]] == ids[::-1]  # newest first
    first = body["results"][-1]
    sku = WarehouseSku.objects.get(warehouse=linked, sku=first["sku"])
    assert first == {"object": "product", "id": ids[0], "sku": sku.sku, "name": sku.name, "name_en": sku.name_en,
                     "display_name": sku.name_en, "description": sku.description_en, "image_urls": sku.image_urls,
                     "category": sku.category, "unit": "bag", "unit_display": "bag", "price_minor": sku.cost_minor * 2,
                     "currency": "CNY", "in_stock": True}  # fmt: skip
    chinese = client.get("/api/v1/shop/products", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][-1]
    assert (chinese["display_name"], chinese["unit"], chinese["unit_display"]) == (sku.name, "bag", "袋")
    stock_apply(warehouse_id=linked.pk, items=[{"sku": sku.sku, "available": 0, "stock_version": sku.stock_version + 1}])
    assert [row["id"] for row in client.get("/api/v1/shop/products").json()["results"]] == ids[:0:-1]
    assert client.get(f"/api/v1/shop/products/{ids[0]}").json()["in_stock"] is False
    bad = client.get("/api/v1/shop/products?category=weapons")
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message", "fields"} and "category" in bad.json()["fields"]
    other = APIClient(HTTP_HOST=host_of(other_shop))
    assert other.get("/api/v1/shop/products").json()["results"] == []
    assert other.get(f"/api/v1/shop/products/{ids[1]}").status_code == 404


def test_list_queries_do_not_grow_with_the_page(shop, linked):
    _products(shop, linked, 60)
    client = APIClient(HTTP_HOST=host_of(shop))
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"/api/v1/shop/products?page_size={size}").json()["results"]) == size
        sql = [q["sql"] for q in queries.captured_queries]
        # The domain lookup runs on the connection's path (it reaches the public tables); then
        # the shop's schema is set once (pawpact.tenants.host_middleware).
        assert [q for q in sql if q.startswith("SET search_path")] == ['SET search_path = "shop_alpha","public"']
        counts.append(len(sql))
    assert counts[0] == counts[1] == 4  # one SET, the domain, the shop's warehouse link, the page
