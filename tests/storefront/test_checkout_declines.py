"""A declined checkout answers the order with `payment_error` (code, decline_code, message)
and offers its items back in the cart; its Idempotency-Key keeps the answer (another body is
`idempotency_key_reused`, nothing charged); a pending payment takes the items out of the
cart so a second checkout cannot bill them again; someone else's method is 404 on the field."""
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id
from pawpact.billing.models import PaymentMethod
from pawpact.sandbox.models import SandboxCharge
from pawpact.storefront.models import CartLine, Order
from tests.storefront.test_shop_api import FOOD, _buyer, products  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db
HARD = "declined by the bank; use another payment method"


def _method(shop, customer, token: str) -> str:
    with schema_context(shop.schema_name):
        made = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"{token}.{uuid.uuid4().hex[:12]}")
        return opaque_id(PAYMENT_METHOD, made.pk, schema_name=shop.schema_name)


def _state(shop) -> tuple:
    with schema_context(shop.schema_name):
        charges = list(SandboxCharge.objects.filter(shop_schema=shop.schema_name).order_by("id")
                       .values_list("amount_minor", "outcome"))  # fmt: skip
        orders = list(Order.objects.order_by("id").values_list("status", flat=True))
        return charges, orders, list(CartLine.objects.values_list("quantity", flat=True))


def _checkout(client, method_id: str, key: str):
    return client.post("/api/v1/shop/checkout", {"payment_method_id": method_id}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_declined_checkout_says_why_keeps_its_key_and_a_new_key_pays(shop, other_shop, products):
    client, customer, good = _buyer(shop, "decline@example.com", "13700000011")
    hard = _method(shop, customer, "tok_hard_decline")
    assert client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 2}, format="json").status_code == 201
    first = _checkout(client, hard, "K")
    assert first.status_code == 201
    assert (first.json()["status"], first.json()["payment_error"]) == ("payment_failed", {
        "code": "payment_declined", "decline_code": "hard_decline",
        "message": f"The payment failed ({HARD}); the order was not paid."})  # fmt: skip
    assert _state(shop) == ([(25_800, "hard_decline")], ["payment_failed"], [2])  # the items are offered back
    other = _checkout(client, good, "K")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    again = _checkout(client, hard, "K")
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, first.json(), "true")
    assert _state(shop) == ([(25_800, "hard_decline")], ["payment_failed"], [2])
    paid = _checkout(client, good, "K2")
    assert (paid.status_code, paid.json()["status"], paid.json()["payment_error"]) == (201, "paid", None)
    assert _state(shop) == ([(25_800, "hard_decline"), (25_800, "succeeded")], ["payment_failed", "paid"], [])
    assert _state(other_shop) == ([], [], [])


def test_a_pending_payment_takes_the_items_out_of_the_cart_so_nothing_is_billed_twice(shop, products):
    client, customer, good = _buyer(shop, "pending@example.com", "13700000012")
    unknown = _method(shop, customer, "tok_network_error")
    assert client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 3}, format="json").status_code == 201
    pending = _checkout(client, unknown, "P1")
    assert (pending.status_code, pending.json()["status"], pending.json()["payment_error"]) == (201, "pending_payment", None)
    assert _state(shop) == ([], ["pending_payment"], [])
    second = _checkout(client, good, "P2")
    assert (second.status_code, second.json()["code"]) == (422, "cart_empty")
    assert _state(shop) == ([], ["pending_payment"], [])


def test_someone_elses_payment_method_is_404_on_the_field_and_422_for_2026_12_01(shop, products):
    client, _customer, _good = _buyer(shop, "mine@example.com", "13700000013")
    _stranger, _other, theirs = _buyer(shop, "theirs@example.com", "13700000014")
    assert client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json").status_code == 201
    refused = _checkout(client, theirs, "S1")
    assert (refused.status_code, refused.json()) == (404, {"code": "not_found", "message": "No such payment method of yours here.",
                                                           "fields": {"payment_method_id": ["Not one of yours."]}})  # fmt: skip
    before = client.post("/api/v1/shop/checkout", {"payment_method_id": theirs}, format="json",
                         HTTP_IDEMPOTENCY_KEY="S2", HTTP_PAWPACT_VERSION="2026-12-01")  # fmt: skip
    assert (before.status_code, before.json()["code"]) == (422, "invalid_payment_method")
    assert _state(shop) == ([], [], [1])


def test_another_shops_payment_method_id_is_not_an_id_at_this_shop(shop, other_shop, products):
    client, _customer, _good = _buyer(shop, "here@example.com", "13700000015")
    _elsewhere, _c, theirs = _buyer(other_shop, "there@example.com", "13700000016")
    assert client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json").status_code == 201
    refused = _checkout(client, theirs, "X1")
    assert (refused.status_code, refused.json()["code"], refused.json()["fields"]) == (
        400, "invalid", {"payment_method_id": ["Not an id of this kind at this shop."]})
    zh = client.post("/api/v1/shop/checkout", {"payment_method_id": theirs}, format="json", HTTP_IDEMPOTENCY_KEY="X2",
                     HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert zh.json()["fields"] == {"payment_method_id": ["不是本门店此类记录的 id。"]}
    assert _state(shop) == ([], [], [1]) and _state(other_shop) == ([], [], [])


def test_the_order_list_reads_every_declined_payment_in_one_query(shop, products):
    client, customer, _good = _buyer(shop, "declines@example.com", "13700000019")
    hard = _method(shop, customer, "tok_hard_decline")

    def declined_orders_listed(count: int) -> tuple[int, int]:
        for number in range(count):
            client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json")
            assert _checkout(client, hard, f"list-{count}-{number}").json()["status"] == "payment_failed"
        with CaptureQueriesContext(connection) as queries:
            listed = client.get("/api/v1/shop/orders").json()["results"]
        assert {order["payment_error"]["decline_code"] for order in listed} == {"hard_decline"}
        return len(listed), len(queries)

    one, with_one = declined_orders_listed(1)
    three, with_three = declined_orders_listed(2)
    assert (one, three, with_three) == (1, 3, with_one)
