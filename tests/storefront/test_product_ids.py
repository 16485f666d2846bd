"""Products are named by `prod_…` ids from 2026-12-15, in their paths, in the cart's and an
order's lines and in the body that adds one; 2026-12-01 clients keep the numbers; a number, an
id of another type or another shop's id names nothing and the cart is left as it was."""
import pytest
from django_tenants.utils import schema_context

from pawpact.core.opaque_ids import PRODUCT, SEGMENT, opaque_id
from pawpact.storefront.models import CartLine
from pawpact.storefront.services.catalog import product_save
from tests.api.test_resources_api import NOT_FOUND, _client, _customer

OLD = {"HTTP_PAWPACT_VERSION": "2026-12-01"}


@pytest.fixture
def product(shop, linked):
    with schema_context(shop.schema_name):
        return product_save(sku="FC-0001", price_minor=12_900).pk


def _lines(shop) -> list[tuple[int, int]]:
    with schema_context(shop.schema_name):
        return list(CartLine.objects.values_list("product_id", "quantity"))


def test_products_and_cart_lines_by_typed_id(shop, product):
    anonymous = _client(shop)
    typed = opaque_id(PRODUCT, product, schema_name=shop.schema_name)
    listed = anonymous.get("/api/v1/shop/products").json()["results"]
    assert [row["id"] for row in listed] == [typed]
    assert anonymous.get(f"/api/v1/shop/products/{typed}").json()["id"] == typed
    assert anonymous.get(f"/api/v1/shop/products/{product}").json() == NOT_FOUND
    assert anonymous.get(f"/api/v1/shop/products/{product}", **OLD).json()["id"] == product

    _me, _pet, client = _customer(shop, "me@alpha.test", "13800000001")
    for wrong in (product, str(product), opaque_id(SEGMENT, product, schema_name=shop.schema_name)):
        refused = client.post("/api/v1/shop/cart/lines", {"product_id": wrong}, format="json")
        assert (refused.status_code, list(refused.json()["fields"])) == (400, ["product_id"]), wrong
    assert _lines(shop) == []
    cart = client.post("/api/v1/shop/cart/lines", {"product_id": typed, "quantity": 2}, format="json").json()
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(typed, 2)]
    assert client.patch(f"/api/v1/shop/cart/lines/{product}", {"quantity": 5}, format="json").status_code == 404
    assert _lines(shop) == [(product, 2)]
    assert client.get("/api/v1/shop/cart", **OLD).json()["lines"][0]["product_id"] == product
    old = client.patch(f"/api/v1/shop/cart/lines/{product}", {"quantity": 3}, format="json", **OLD)
    assert old.json()["lines"][0]["product_id"] == product
    assert client.delete(f"/api/v1/shop/cart/lines/{typed}").json()["lines"] == []
    assert _lines(shop) == []


def test_another_shop_finds_no_product_by_an_id_from_this_one(shop, other_shop, product):
    typed = opaque_id(PRODUCT, product, schema_name=shop.schema_name)
    assert _client(other_shop).get(f"/api/v1/shop/products/{typed}").json() == NOT_FOUND
    _them, _pet, client = _customer(other_shop, "them@beta.test", "13800000009")
    refused = client.post("/api/v1/shop/cart/lines", {"product_id": typed}, format="json")
    # Another shop's spelling names nothing here: refused like an id of another type.
    assert (refused.status_code, refused.json()["code"], list(refused.json()["fields"])) == (400, "invalid", ["product_id"])
    with schema_context(other_shop.schema_name):
        assert CartLine.objects.count() == 0
