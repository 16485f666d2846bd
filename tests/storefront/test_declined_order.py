"""A declined order is never labelled paid: the page says why in plain words and puts its items
back in the cart to pay again; another customer cannot do that with someone else's order."""
import re

from django_tenants.utils import schema_context

from pawpact.storefront.models import CartLine, Order
from pawpact.storefront.services.catalog import product_save
from tests.storefront.conftest import SHOWN_ADDRESS
from tests.storefront.test_pages import _customer_user, _login

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _declined_order(shop, buyer, product, capture):
    buyer.post(f"/shop/products/{product.pk}/add/", {"quantity": "2"})
    cart = buyer.get("/shop/cart/", **EN).content.decode()
    key = re.search(r'name="checkout_key" value="(\w+)"', cart).group(1)
    with capture(execute=True):
        buyer.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-declined", "checkout_key": key})
    with schema_context(shop.schema_name):
        return Order.objects.get()


def test_a_declined_order_says_not_paid_why_and_refills_the_cart(shop, linked, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    buyer = _login(shop, _customer_user(shop))
    order = _declined_order(shop, buyer, product, django_capture_on_commit_callbacks)
    assert (order.status, order.paid_at) == ("payment_failed", None)
    page = buyer.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    amount = re.search(r"data-order-amount>(.*?)</div>", page).group(1)
    assert "Not paid" in amount and "¥258.00" in amount and "Paid" not in amount.replace("Not paid", "")
    assert "The payment was declined: insufficient funds. Nothing was charged." in page
    state = re.search(r"<p data-order-state>(.*?)</p>", page, re.S).group(1)
    assert state == "Payment failed"  # no parcel badge ("Cancelled") beside it
    zh = buyer.get(f"/shop/orders/{order.uuid}/", **ZH).content.decode()
    assert "未支付" in re.search(r"data-order-amount>(.*?)</div>", zh).group(1) and "余额不足" in zh
    with schema_context(shop.schema_name):
        CartLine.objects.all().delete()  # the customer emptied the cart since
    other = _login(shop, _customer_user(shop, email="other@alpha.test", phone="13900139000"))
    assert other.post(f"/shop/orders/{order.uuid}/to-cart/").status_code == 404
    with schema_context(shop.schema_name):
        assert CartLine.objects.count() == 0
    back = buyer.post(f"/shop/orders/{order.uuid}/to-cart/", follow=True, **EN)
    assert back.redirect_chain[-1][0] == "/shop/cart/" and "The items are back in your cart" in back.content.decode()
    buyer.post(f"/shop/orders/{order.uuid}/to-cart/")  # twice does not double the quantity
    with schema_context(shop.schema_name):
        assert list(CartLine.objects.values_list("customer__phone", "product_id", "quantity")) == [
            (order.customer.phone, product.pk, 2)]


def test_a_paid_order_keeps_its_paid_label_and_cannot_be_refilled(shop, linked, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    buyer = _login(shop, _customer_user(shop))
    buyer.post(f"/shop/products/{product.pk}/add/", {"quantity": "1"})
    cart = buyer.get("/shop/cart/", **EN).content.decode()
    key = re.search(r'name="checkout_key" value="(\w+)"', cart).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        buyer.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-new", "checkout_key": key})
    with schema_context(shop.schema_name):
        order = Order.objects.get()
    page = buyer.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    assert "Paid" in re.search(r"data-order-amount>(.*?)</div>", page).group(1) and "data-declined" not in page
    assert buyer.post(f"/shop/orders/{order.uuid}/to-cart/").status_code == 404
    with schema_context(shop.schema_name):
        assert CartLine.objects.count() == 0
