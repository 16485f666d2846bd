"""Orders over the API: `expand[]=lines.product` and `metadata` (PATCH only), each for the
order's customer and staff, never another customer or shop."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.storefront.models import Order
from tests.storefront.test_shop_api import ADDRESS, FOOD, LITTER, _buyer, _checkout, products  # noqa: F401


def _order(shop, products, email="ann@alpha.test", phone="13800138001", key="checkout-1"):  # noqa: F811
    client, _customer, method_id = _buyer(shop, email, phone)
    client.put("/api/v1/shop/address", ADDRESS, format="json")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 2}, format="json")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[LITTER], "quantity": 1}, format="json")
    answer = _checkout(client, method_id, key=key)
    assert answer.status_code == 201, answer.content
    return client, answer.json()


def test_lines_expand_to_their_products_in_constant_queries(shop, products):  # noqa: F811
    client, order = _order(shop, products)
    url = f"/api/v1/shop/orders/{order['uuid']}"
    assert "product" not in client.get(url).json()["lines"][0]
    lines = client.get(f"{url}?expand[]=lines.product").json()["lines"]
    assert sorted((line["product"]["sku"], line["product"]["price_minor"]) for line in lines) == [
        (FOOD, 12_900), (LITTER, 19_990)]  # fmt: skip
    assert all(line["product"]["id"] == line["product_id"] for line in lines)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/shop/orders?expand[]=lines.product")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json")
    assert _checkout(client, order_method(shop, order), key="checkout-2").status_code == 201
    with CaptureQueriesContext(connection) as two:
        listed = client.get("/api/v1/shop/orders?expand[]=lines.product").json()["results"]
    assert len(listed) == 2 and all("product" in line for row in listed for line in row["lines"])
    assert len(two.captured_queries) == len(one.captured_queries)
    assert client.get(f"{url}?expand[]=lines.warehouse").json()["code"] == "unknown_expand"


def order_method(shop, order) -> str:
    from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id

    with schema_context(shop.schema_name):
        return opaque_id(PAYMENT_METHOD, Order.objects.get(uuid=order["uuid"]).customer.payment_methods.first().pk, schema_name=shop.schema_name)


def test_order_metadata_by_patch_for_staff_only(shop, products):  # noqa: F811
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue
    from tests.api.test_billing_api import api

    client, order = _order(shop, products)
    url = f"/api/v1/shop/orders/{order['uuid']}"
    assert client.get(url).json()["metadata"] == {}
    refused = client.patch(url, {"metadata": {"mp_order": "wx-1"}}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "metadata_not_allowed")
    with schema_context(shop.schema_name):
        assert Order.objects.get(uuid=order["uuid"]).metadata == {}
        staff = api(shop, api_token_issue(user=User.objects.create_user("ops@alpha.test", "pw-ops-2026", is_staff=True)))
    patched = staff.patch(url, {"metadata": {"mp_order": "wx-1"}}, format="json")
    assert (patched.status_code, patched.json()["metadata"]) == (200, {"mp_order": "wx-1"})
    assert patched.json()["total_minor"] == order["total_minor"]
    assert client.get(url).json()["metadata"] == {}
    bad = staff.patch(url, {"metadata": {"mp_order": 1}}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["metadata.mp_order"])
    with schema_context(shop.schema_name):
        assert Order.objects.get(uuid=order["uuid"]).metadata == {"mp_order": "wx-1"}
