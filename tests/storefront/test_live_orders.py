"""A live shop's orders move real money only: a sandbox card or a test-mode payment method is
refused at checkout, on the page and in the service, and nothing is written."""
import re
import uuid

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import Journal, PaymentMethod
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from pawpact.storefront.errors import OrderNotPayable
from pawpact.storefront.models import CartLine, Fulfilment, Order, OrderPayment
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.tenants.errors import SandboxRefusedInLiveMode
from pawpact.tenants.models import Shop
from pawpact.warehouses.models import StockReservation, WarehouseSku
from tests.storefront.conftest import customer_with_address
from tests.storefront.test_pages import _customer_user, _login
from tests.storefront.conftest import SHOWN_ADDRESS

SKU = "FC-0001"


def _written(warehouse) -> dict:
    """Everything a refused checkout must leave as it was (call in the shop's schema)."""
    shop_rows = {
        "orders": Order.objects.count(), "payments": OrderPayment.objects.count(),
        "fulfilments": Fulfilment.objects.count(), "journals": Journal.objects.count(),
        "outbox": OutboxEvent.objects.count(), "sandbox_charges": SandboxCharge.objects.count(),
        "methods": PaymentMethod.objects.count(),
    }  # fmt: skip
    return {**shop_rows, "reservations": StockReservation.objects.count(),
            "reserved": WarehouseSku.objects.get(warehouse=warehouse, sku=SKU).reserved}  # fmt: skip


def _go_live(shop):
    Shop.objects.filter(pk=shop.pk).update(mode="live")


@pytest.mark.parametrize(("rail", "token"), [("sandbox", "tok_success"), ("alipay", "20260000000000000001")])
def test_a_test_mode_payment_method_cannot_pay_a_live_order(shop, linked, rail, token):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
        customer = customer_with_address()
        # Saved while the shop was in test mode: pretend money.
        method = PaymentMethod.objects.create(customer=customer, rail=rail, token=f"{token}.{uuid.uuid4().hex[:8]}")
        cart_set(customer=customer, product=product, quantity=2)
        _go_live(shop)
        before = _written(linked)
        expected = SandboxRefusedInLiveMode if rail == "sandbox" else OrderNotPayable
        with pytest.raises(expected):
            checkout(customer=customer, payment_method=method, checkout_key="live-1")
        assert _written(linked) == before and before["orders"] == 0 and before["reserved"] == 0
        assert CartLine.objects.filter(customer=customer).count() == 1  # the cart is kept for a real method


def test_the_live_cart_page_offers_no_test_card_and_the_checkout_refuses_one(shop, linked):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
    client = _login(shop, _customer_user(shop))
    assert client.post(f"/shop/products/{product.pk}/add/", {"quantity": "1"}).status_code == 302
    with schema_context(shop.schema_name):
        customer = CartLine.objects.get().customer
        PaymentMethod.objects.create(customer=customer, rail="sandbox", token="tok_success.old", label="Old test card")
    test_cart = client.get("/shop/cart/").content.decode()
    heading = "Test cards: this shop is in test mode, no real money moves"
    assert "Test card (sandbox)" in test_cart and test_cart.count(heading) == 1
    assert test_cart.index(heading) < test_cart.index("Test card (sandbox)")
    _go_live(shop)
    cart = client.get("/shop/cart/").content.decode()
    assert "Test card (sandbox)" not in cart and "sandbox-new" not in cart and "Old test card" not in cart
    assert heading not in cart
    key = re.search(r'name="checkout_key" value="(\w+)"', cart).group(1)
    with schema_context(shop.schema_name):
        before = _written(linked)
    response = client.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-new", "checkout_key": key}, follow=True)
    assert "sandbox" in response.content.decode() and response.redirect_chain[-1][0] == "/shop/cart/"
    with schema_context(shop.schema_name):
        assert _written(linked) == before
