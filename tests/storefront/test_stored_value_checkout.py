"""Shop orders paid from the customer's stored value, fully or with the rest on the rail; a
cancelled, refunded or declined order puts the stored value back exactly once; the books
balance and match the orders; the page and the API both offer it; shops stay apart."""
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PRODUCT, opaque_id
from pawpact.billing.enums import LedgerAccount
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Journal, PaymentMethod
from pawpact.loyalty import stored_value
from pawpact.loyalty.models import StoredValueAccount, StoredValueMovement
from pawpact.sandbox.models import SandboxCharge
from pawpact.storefront.enums import OrderStatus
from pawpact.storefront.errors import OrderNotCancellable, OrderNotPayable, RefundInvalid
from pawpact.storefront.ledger_check import storefront_ledger_check
from pawpact.storefront.models import Order, OrderPayment, OrderRefund
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.services.refunds import order_cancel, order_refund
from tests.storefront.conftest import SHOWN_ADDRESS, customer_with_address
from tests.storefront.test_my_plans import browser_of
from tests.storefront.test_shop_api import _buyer

SKU = "FC-0001"  # cost ¥79.00; sold at ¥129.00


def _customer_with_balance(amount_minor: int, *, token="tok_success"):
    customer = customer_with_address(phone=f"139{uuid.uuid4().int % 10**8:08d}")
    method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"{token}.{uuid.uuid4().hex[:12]}")
    if amount_minor:
        topper = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:12]}")
        stored_value.topup(customer=customer, amount_minor=amount_minor, payment_method=topper, request_key="top")
    return customer, method


def _balance(customer) -> int:
    return StoredValueAccount.objects.get(customer=customer).total_minor


def _rail_amounts() -> list[int]:
    rows = SandboxCharge.objects.filter(shop_schema=connection.schema_name).exclude(idempotency_key__startswith="topup:")
    return sorted(rows.values_list("amount_minor", flat=True))


def _books_ok():
    assert unbalanced_journals() == []
    check = storefront_ledger_check()
    assert check.ok, check.problems


def test_stored_value_pays_a_whole_order_and_a_cancel_puts_it_back_once(shop, linked):
    with schema_context(shop.schema_name):
        customer, _method = _customer_with_balance(20_000)
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
        order = checkout(customer=customer, payment_method=None, checkout_key="sv-all", use_stored_value=True)
        assert (order.status, order.total_minor, order.stored_value_minor, order.rail_minor) == (OrderStatus.PAID, 12_900, 12_900, 0)
        assert OrderPayment.objects.filter(order=order).count() == 0 and _rail_amounts() == []
        assert _balance(customer) == 7_100
        assert account_balances()[LedgerAccount.GOODS_REVENUE] == -12_900
        _books_ok()
        order = order_cancel(order=order)
        assert (order.status, order.refunded_minor, order.stored_value_returned_minor) == (OrderStatus.CANCELLED, 12_900, 12_900)
        assert _balance(customer) == 20_000 and OrderRefund.objects.count() == 0
        assert account_balances()[LedgerAccount.GOODS_REVENUE] == 0
        movements = StoredValueMovement.objects.filter(account__customer=customer).count()
        with pytest.raises(OrderNotCancellable):
            order_cancel(order=order)
        assert StoredValueMovement.objects.filter(account__customer=customer).count() == movements == 3
        assert _balance(customer) == 20_000
        _books_ok()


def test_a_short_balance_pays_part_and_the_rail_the_rest_and_cancel_returns_each_to_its_source(shop, linked):
    with schema_context(shop.schema_name):
        customer, method = _customer_with_balance(5_000)
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=2)
        order = checkout(customer=customer, payment_method=method, checkout_key="sv-part", use_stored_value=True)
        assert (order.status, order.total_minor, order.stored_value_minor) == (OrderStatus.PAID, 25_800, 5_000)
        assert OrderPayment.objects.get(order=order).amount_minor == 20_800 and _rail_amounts() == [20_800]
        assert _balance(customer) == 0
        balances = account_balances()
        assert (balances[LedgerAccount.GOODS_REVENUE], balances[LedgerAccount.STORED_VALUE_PAID]) == (-25_800, 0)
        _books_ok()
        order = order_cancel(order=order)
        assert (order.status, order.refunded_minor, order.stored_value_returned_minor) == (OrderStatus.CANCELLED, 25_800, 5_000)
        assert list(OrderRefund.objects.values_list("amount_minor", "status")) == [(20_800, "succeeded")]
        assert _balance(customer) == 5_000 and _rail_amounts() == [-20_800, 20_800]
        assert account_balances()[LedgerAccount.GOODS_REVENUE] == 0
        _books_ok()


def test_staff_refunds_take_the_rail_first_then_the_stored_value_never_beyond_the_order(shop, linked):
    with schema_context(shop.schema_name):
        customer, method = _customer_with_balance(5_000)
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=2)
        order = checkout(customer=customer, payment_method=method, checkout_key="sv-refund", use_stored_value=True)
        refund = order_refund(order=order, amount_minor=22_000, reason="damaged")
        assert (refund.amount_minor, refund.status) == (20_800, "succeeded")
        order.refresh_from_db()
        assert (order.status, order.refunded_minor, order.stored_value_returned_minor) == (OrderStatus.PAID, 22_000, 1_200)
        assert _balance(customer) == 1_200
        assert order_refund(order=order, amount_minor=3_800, reason="goodwill") is None
        order.refresh_from_db()
        assert (order.status, order.refunded_minor, order.stored_value_returned_minor) == (OrderStatus.REFUNDED, 25_800, 5_000)
        assert _balance(customer) == 5_000
        before = (StoredValueMovement.objects.count(), Journal.objects.count(), OrderRefund.objects.count())
        with pytest.raises(RefundInvalid):
            order_refund(order=order, amount_minor=1, reason="goodwill")
        assert (StoredValueMovement.objects.count(), Journal.objects.count(), OrderRefund.objects.count()) == before
        assert account_balances()[LedgerAccount.GOODS_REVENUE] == 0
        _books_ok()


def test_a_declined_rest_puts_the_stored_value_back_and_keeps_no_stock(shop, linked):
    with schema_context(shop.schema_name):
        customer, method = _customer_with_balance(5_000, token="tok_hard_decline")
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
        order = checkout(customer=customer, payment_method=method, checkout_key="sv-declined", use_stored_value=True)
        assert (order.status, order.stored_value_minor, order.stored_value_returned_minor) == (OrderStatus.PAYMENT_FAILED, 5_000, 5_000)
        assert _balance(customer) == 5_000
        assert account_balances()[LedgerAccount.GOODS_REVENUE] == 0
        _books_ok()


def test_without_a_method_a_short_balance_is_refused_writing_nothing(shop, linked):
    with schema_context(shop.schema_name):
        customer, _method = _customer_with_balance(5_000)
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
        before = (Order.objects.count(), Journal.objects.count(), StoredValueMovement.objects.count())
        with pytest.raises(OrderNotPayable) as refused:
            checkout(customer=customer, payment_method=None, checkout_key="sv-short", use_stored_value=True)
        assert "payment_method" in refused.value.fields
        assert (Order.objects.count(), Journal.objects.count(), StoredValueMovement.objects.count()) == before
        assert _balance(customer) == 5_000


@pytest.fixture
def product_id(shop, linked):
    with schema_context(shop.schema_name):
        return opaque_id(PRODUCT, product_save(sku=SKU, price_minor=12_900).pk, schema_name=shop.schema_name)


def test_the_api_checks_out_with_stored_value_and_another_shop_sees_nothing(shop, other_shop, product_id):
    client, customer, _method_id = _buyer(shop, "sv@example.com", "13700000001")
    with schema_context(shop.schema_name):
        topper = PaymentMethod.objects.create(customer=customer, rail="sandbox", token="tok_success.5e11ab1e0001")
        stored_value.topup(customer=customer, amount_minor=15_000, payment_method=topper, request_key="top")
    assert client.post("/api/v1/shop/cart/lines", {"product_id": product_id, "quantity": 1}, format="json").status_code == 201
    bad = client.post("/api/v1/shop/checkout", {"use_stored_value": "maybe"}, format="json", HTTP_IDEMPOTENCY_KEY="sv-bad")
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message", "fields"}
    answer = client.post("/api/v1/shop/checkout", {"use_stored_value": True}, format="json", HTTP_IDEMPOTENCY_KEY="sv-api-1")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["total_minor"], body["stored_value_minor"]) == ("paid", 12_900, 12_900)
    with schema_context(shop.schema_name):
        assert _balance(customer) == 2_100 and Order.objects.count() == 1
    stranger, _c, _m = _buyer(other_shop, "sv@example.com", "13700000001")
    assert stranger.get(f"/api/v1/shop/orders/{body['uuid']}").status_code == 404
    with schema_context(other_shop.schema_name):
        assert Order.objects.count() == 0 and StoredValueAccount.objects.count() == 0


def test_the_cart_page_offers_the_balance_and_pays_with_it(shop, product_id):
    _api, customer, _method_id = _buyer(shop, "svpage@example.com", "13700000002")
    with schema_context(shop.schema_name):
        topper = PaymentMethod.objects.create(customer=customer, rail="sandbox", token="tok_success.5e11ab1e0002")
        stored_value.topup(customer=customer, amount_minor=15_000, payment_method=topper, request_key="top")
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
    page = browser_of(shop, customer)
    cart = page.get("/shop/cart/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "¥150.00" in cart and 'name="use_stored_value"' in cart
    response = page.post("/shop/checkout/", {**SHOWN_ADDRESS, "use_stored_value": "1", "checkout_key": "sv-page-1", "payment_method": ""})
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        order = Order.objects.get(customer=customer)
        assert (order.status, order.stored_value_minor) == (OrderStatus.PAID, 12_900)
        assert _balance(customer) == 2_100
