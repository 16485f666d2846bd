"""The customer's shop API (mini-programs): address, cart, checkout with an Idempotency-Key,
orders with tracking, cancellation with its refund, reships with photos; bad input that
writes nothing; another customer, staff and another shop's host."""
import io
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings
from django_tenants.utils import schema_context
from PIL import Image
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import PAYMENT_METHOD, PRODUCT, opaque_id, pk_of
from pawpact.billing.enums import LedgerAccount
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import PaymentMethod, RailRefund
from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.models import CartLine, Fulfilment, Order, OrderPayment, OrderRefund, ReshipPhoto, ReshipRequest
from pawpact.storefront.pricing import Discount
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import StockReservation, WarehouseSku
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.conftest import customer_with_address

FOOD, LITTER = "FC-0001", "FC-0002"
ADDRESS = {"name": "Wang Fang", "phone": "13800138000", "province": "上海市", "city": "上海市",
           "district": "浦东新区", "address": "世纪大道 100 号"}  # fmt: skip


def _client(shop, token=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _buyer(shop, email: str, phone: str, *, token_rail="tok_success"):
    """(client, customer, payment method id) of a customer with a login, inside `shop`."""
    with schema_context(shop.schema_name):
        customer = customer_with_address(name=email.split("@")[0], phone=phone)
        customer.user = User.objects.create_user(email, SHOP_PASSWORD)
        customer.save(update_fields=["user"])
        method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"{token_rail}.{uuid.uuid4().hex[:12]}")
        return _client(shop, api_token_issue(user=customer.user)), customer, opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)


@pytest.fixture
def products(shop, linked):
    with schema_context(shop.schema_name):
        return {sku: opaque_id(PRODUCT, product_save(sku=sku, price_minor=price).pk, schema_name=shop.schema_name)
                for sku, price in ((FOOD, 12_900), (LITTER, 19_990))}  # fmt: skip


def _counts(shop) -> tuple:
    with schema_context(shop.schema_name):
        return (CartLine.objects.count(), Order.objects.count(), OrderPayment.objects.count(),
                ReshipRequest.objects.count(), StockReservation.objects.count())  # fmt: skip


def _checkout(client, method_id, key="checkout-1", **extra):
    return client.post("/api/v1/shop/checkout", {"payment_method_id": method_id, **extra}, format="json",
                       HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip


def test_cart_to_paid_order_with_tracking_and_one_charge_on_retry(shop, products):
    cache.clear()
    client, customer, method_id = _buyer(shop, "ann@alpha.test", "13800138001")
    assert client.put("/api/v1/shop/address", ADDRESS, format="json").json() == {"object": "address", **ADDRESS}
    assert client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 2}, format="json").status_code == 201
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD]}, format="json")  # adds one: 3
    client.post("/api/v1/shop/cart/lines", {"product_id": products[LITTER], "quantity": 5}, format="json")
    client.patch(f"/api/v1/shop/cart/lines/{products[LITTER]}", {"quantity": 2}, format="json")
    cart = client.get("/api/v1/shop/cart").json()
    assert [(line["sku"], line["quantity"], line["total_minor"], line["in_stock"]) for line in cart["lines"]] == [
        (FOOD, 3, 38_700, True), (LITTER, 2, 39_980, True)]  # fmt: skip
    assert (cart["object"], cart["count"], cart["subtotal_minor"], cart["currency"]) == ("cart", 5, 78_680, "CNY")
    assert client.delete(f"/api/v1/shop/cart/lines/{products[LITTER]}").json()["subtotal_minor"] == 38_700

    first = _checkout(client, method_id)
    assert first.status_code == 201, first.json()
    order = first.json()
    assert (order["object"], order["status"], order["total_minor"], order["refunded_minor"]) == ("order", "paid", 38_700, 0)
    assert [(line["sku"], line["quantity"], line["unit_price_minor"]) for line in order["lines"]] == [(FOOD, 3, 12_900)]
    assert (order["shipment"]["status"], order["cancellable"]) == ("waiting", True)
    replay = _checkout(client, method_id)
    assert replay["Idempotent-Replayed"] == "true" and replay.json()["uuid"] == order["uuid"]
    cache.clear()  # the stored answer lost: the key still names the same order
    again = _checkout(client, method_id)
    assert again.status_code == 201 and again.json()["uuid"] == order["uuid"]
    with schema_context(shop.schema_name):
        assert (Order.objects.count(), OrderPayment.objects.count(), CartLine.objects.count()) == (1, 1, 0)
        balances = account_balances()
        assert (balances[LedgerAccount.STORE_CASH], balances[LedgerAccount.GOODS_REVENUE]) == (38_700, -38_700)
    listed = client.get("/api/v1/shop/orders?page_size=1").json()
    assert (listed["object"], listed["has_more"], [o["uuid"] for o in listed["results"]]) == ("list", False, [order["uuid"]])
    assert client.get("/api/v1/shop/orders?status=cancelled").json()["results"] == []
    assert client.get("/api/v1/shop/orders?status=lost").status_code == 400
    with schema_context(shop.schema_name):
        Fulfilment.objects.filter(uuid=order["uuid"]).update(status=FulfilmentStatus.DISPATCHED, carrier="SF Express",
                                                              tracking_number="SF1234567890")  # fmt: skip
    tracking = client.get(f"/api/v1/shop/orders/{order['uuid']}/tracking").json()
    assert (tracking["object"], tracking["status"], tracking["carrier"], tracking["tracking_number"]) == (
        "shipment", "dispatched", "SF Express", "SF1234567890")  # fmt: skip


def test_the_discount_hook_is_applied_at_checkout(shop, products):
    client, _customer, method_id = _buyer(shop, "dan@alpha.test", "13800138005")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json")
    with override_settings(PAWPACT_STOREFRONT_PRICING="tests.storefront.test_shop_api.ten_yuan_off",
                           PAWPACT_STOREFRONT_COUPON_REDEEM=""):  # a pricing of its own: no coupon to mark used
        order = _checkout(client, method_id, key="discount-1", coupon_code="TEN").json()
    assert (order["subtotal_minor"], order["discount_minor"], order["discount_label"], order["total_minor"]) == (
        12_900, 1_000, "TEN", 11_900)  # fmt: skip


def ten_yuan_off(*, customer, subtotal_minor, coupon_code):
    return Discount(1_000, coupon_code) if coupon_code == "TEN" else Discount()


def test_bad_input_is_refused_and_writes_nothing(shop, products):
    client, customer, method_id = _buyer(shop, "bob@alpha.test", "13800138002")
    _other, _stranger, strangers_method = _buyer(shop, "eve@alpha.test", "13800138003")
    before = _counts(shop)
    cases = [
        (client.post("/api/v1/shop/cart/lines", {"product_id": opaque_id(PRODUCT, 999_999, schema_name=shop.schema_name)}, format="json"), 404, "not_found"),
        (client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 0}, format="json"), 400, "invalid"),
        (client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": -2}, format="json"), 400, "invalid"),
        (client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 100}, format="json"), 400, "invalid"),
        (client.post("/api/v1/shop/cart/lines", {"product_id": pk_of(PRODUCT, products[FOOD], schema_name=shop.schema_name)}, format="json"), 400, "invalid"),
        (_checkout(client, method_id), 422, "cart_empty"),
        (client.post("/api/v1/shop/checkout", {"payment_method_id": method_id}, format="json"), 400, "idempotency_key_required"),
        (client.patch(f"/api/v1/shop/cart/lines/{products[FOOD]}", {"quantity": 2}, format="json"), 404, "not_found"),
    ]
    for response, code, error in cases:
        assert (response.status_code, response.json()["code"]) == (code, error), response.json()
        assert set(response.json()) == {"code", "message", "fields"}
    assert _counts(shop) == before
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json")
    before = _counts(shop)
    stolen = _checkout(client, strangers_method, key="stolen")
    assert (stolen.status_code, stolen.json()["code"], stolen.json()["fields"]) == (
        404, "not_found", {"payment_method_id": ["Not one of yours."]})
    with schema_context(shop.schema_name):
        from pawpact.storefront.models import Product

        Product.objects.filter(pk=pk_of(PRODUCT, products[FOOD], schema_name=shop.schema_name)).update(is_listed=False)
    delisted = _checkout(client, method_id, key="delisted")
    assert (delisted.status_code, delisted.json()["code"]) == (409, "not_sellable")
    again = client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_sellable")
    assert _counts(shop) == before


def test_another_customer_staff_and_another_shop_see_nothing(shop, other_shop, products, shop_staff):
    client, _customer, method_id = _buyer(shop, "cat@alpha.test", "13800138004")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json")
    order = _checkout(client, method_id).json()
    stranger, _s, _m = _buyer(shop, "sam@alpha.test", "13800138006")
    url = f"/api/v1/shop/orders/{order['uuid']}"
    assert stranger.get("/api/v1/shop/orders").json()["results"] == []
    assert stranger.get("/api/v1/shop/cart").json()["lines"] == []
    for response in (stranger.get(url), stranger.get(f"{url}/tracking"),
                     stranger.post(f"{url}/cancel", HTTP_IDEMPOTENCY_KEY="c-1"),
                     stranger.post(f"{url}/reships", {"reason": "missing"}, format="multipart")):  # fmt: skip
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    staff = _client(shop, shop_staff.api_token)
    assert [o["uuid"] for o in staff.get("/api/v1/shop/orders").json()["results"]] == [order["uuid"]]
    assert staff.get("/api/v1/shop/cart").status_code == 403
    # The customer's token on another shop's host is unknown there.
    elsewhere = APIClient(HTTP_HOST=host_of(other_shop))
    elsewhere._credentials = client._credentials
    assert elsewhere.get("/api/v1/shop/orders").status_code == 401
    assert elsewhere.get("/api/v1/shop/cart").status_code == 401
    assert _client(other_shop).get(url).status_code == 401
    with schema_context(other_shop.schema_name):
        assert Order.objects.count() == 0


def _png(name="damage.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_reship_with_photos_and_its_checks(shop, products, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client, _customer, method_id = _buyer(shop, "ida@alpha.test", "13800138007")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 2}, format="json")
    order = _checkout(client, method_id).json()
    url = f"/api/v1/shop/orders/{order['uuid']}/reships"
    early = client.post(url, {"reason": "missing"}, format="multipart")
    assert (early.status_code, early.json()["code"]) == (422, "reship_refused")
    with schema_context(shop.schema_name):
        Fulfilment.objects.filter(uuid=order["uuid"]).update(status=FulfilmentStatus.DELIVERED)
    fake = io.BytesIO(b"MZ\x90\x00 not a photo at all")
    fake.name = "evil.jpg"
    before = _counts(shop)
    for body in ({"reason": "damaged", "photos": [fake]}, {"reason": "damaged"}, {"reason": "lost"}):
        refused = client.post(url, body, format="multipart")
        assert refused.status_code in (400, 422) and set(refused.json()) == {"code", "message", "fields"}
    assert _counts(shop) == before
    made = client.post(url, {"reason": "damaged", "note": "The bag was torn.", "photos": [_png()]}, format="multipart")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["object"], body["reason"], body["photo_count"], body["order_uuid"]) == ("reship", "damaged", 1, order["uuid"])
    assert body["shipment"]["kind"] == "reship" and body["shipment"]["status"] == "waiting"
    with schema_context(shop.schema_name):
        photo = ReshipPhoto.objects.get()
        assert photo.image.name.endswith(".png") and "damage" not in photo.image.name
        reship = Fulfilment.objects.get(kind="reship")
        assert [(line.sku, line.quantity) for line in reship.lines.all()] == [(FOOD, 2)]
    twice = client.post(url, {"reason": "missing"}, format="multipart")
    assert (twice.status_code, twice.json()["code"]) == (422, "reship_refused")


def test_cancel_before_dispatch_refunds_once_as_a_rail_refund(shop, products, linked):
    client, _customer, method_id = _buyer(shop, "joe@alpha.test", "13800138008")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 1}, format="json")
    order = _checkout(client, method_id).json()
    reserved = WarehouseSku.objects.get(warehouse=linked, sku=FOOD).reserved
    url = f"/api/v1/shop/orders/{order['uuid']}/cancel"
    cancelled = client.post(url, HTTP_IDEMPOTENCY_KEY="cancel-1")
    assert cancelled.status_code == 200, cancelled.json()
    body = cancelled.json()
    assert (body["status"], body["refunded_minor"], body["cancellable"]) == ("cancelled", 12_900, False)
    assert [(r["amount_minor"], r["status"]) for r in body["refunds"]] == [(12_900, "succeeded")]
    assert client.post(url, HTTP_IDEMPOTENCY_KEY="cancel-1")["Idempotent-Replayed"] == "true"
    twice = client.post(url, HTTP_IDEMPOTENCY_KEY="cancel-2")
    assert (twice.status_code, twice.json()["code"]) == (409, "order_not_cancellable")
    assert WarehouseSku.objects.get(warehouse=linked, sku=FOOD).reserved == reserved - 1
    with schema_context(shop.schema_name):
        refund = OrderRefund.objects.get()
        rail = RailRefund.objects.get()
        assert (rail.idempotency_key, rail.amount_minor, rail.purpose, rail.rail, rail.contract_id) == (
            refund.idempotency_key, 12_900, "order_refund", "sandbox", None)  # fmt: skip
        balances = account_balances()
        assert (balances[LedgerAccount.STORE_CASH], balances[LedgerAccount.GOODS_REVENUE]) == (0, 0)
        assert unbalanced_journals() == []
