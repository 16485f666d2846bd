"""What a shop frontend shows of a product: the catalog feed's description and pictures
carried through the import, the name and description in the request's language (falling
back to the other language), and the currency beside the price."""
import urllib.request

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.core.opaque_ids import PRODUCT, opaque_id
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import WarehouseSku
from pawpact.warehouses.services import _skus_upsert
from tests.conftest import host_of


def _listed(shop, sku: WarehouseSku) -> str:
    with schema_context(shop.schema_name):
        return opaque_id(PRODUCT, product_save(sku=sku.sku, price_minor=sku.cost_minor + 2590).pk, schema_name=shop.schema_name)


def test_the_import_carries_description_and_pictures_and_the_picture_is_served(linked, sandbox_warehouse):
    sku = WarehouseSku.objects.get(warehouse=linked, sku="FC-0001")
    assert sku.description == f"{sku.name}，营养均衡，适合日常主食喂养。"
    assert sku.description_en == f"{sku.name_en}: balanced nutrition for everyday feeding."
    assert sku.image_urls == [f"{sandbox_warehouse.url}/images/FC-0001.svg"]
    # Unsigned, as a customer's browser fetches it.
    with urllib.request.urlopen(sku.image_urls[0], timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/svg+xml"
        assert b"FC-0001" in answer.read()


def test_name_and_description_follow_the_request_language(shop, other_shop, linked):
    sku = WarehouseSku.objects.get(warehouse=linked, sku="FC-0001")
    product_id = _listed(shop, sku)
    client = APIClient(HTTP_HOST=host_of(shop))
    english = client.get(f"/api/v1/shop/products/{product_id}", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(f"/api/v1/shop/products/{product_id}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (english["display_name"], english["description"]) == (sku.name_en, sku.description_en)
    assert (chinese["display_name"], chinese["description"]) == (sku.name, sku.description)
    assert chinese["name"] == english["name"] == sku.name and chinese["name_en"] == sku.name_en
    assert (english["price_minor"], english["currency"], english["image_urls"]) == (sku.cost_minor + 2590, "CNY",
                                                                                   sku.image_urls)  # fmt: skip
    assert APIClient(HTTP_HOST=host_of(other_shop)).get(f"/api/v1/shop/products/{product_id}").status_code == 404


def test_a_missing_translation_falls_back_and_bad_picture_urls_are_left_out(shop, linked):
    _skus_upsert(warehouse_id=linked.pk, items=[{
        "sku": "X-1", "name": "只有中文", "cost_minor": 100, "category": "toys", "description": "中文介绍",
        "image_urls": ["javascript:alert(1)", "https://cdn.example.com/x-1.jpg", 7, "ftp://x/y.png"],
        "available": 5, "stock_version": 1,
    }])  # fmt: skip
    sku = WarehouseSku.objects.get(warehouse=linked, sku="X-1")
    assert sku.image_urls == ["https://cdn.example.com/x-1.jpg"]
    product_id = _listed(shop, sku)
    answer = APIClient(HTTP_HOST=host_of(shop)).get(f"/api/v1/shop/products/{product_id}", HTTP_ACCEPT_LANGUAGE="en")
    assert (answer.json()["display_name"], answer.json()["description"]) == ("只有中文", "中文介绍")
