"""The order ships to the address the customer saw at checkout: pre-filled from the saved one,
editable, required; shown on the customer's order page and on the staff order page."""
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.customers.models import Customer
from pawpact.storefront.models import Order, ShippingAddress
from pawpact.storefront.services.catalog import product_save
from pawpact.workspace.enums import Role
from tests.storefront.conftest import SHOWN_ADDRESS, customer_with_address
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _buyer(shop, *, with_address=True):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
        user = User.objects.create_user("addr@alpha.test", "pw-long-enough-1")
        if with_address:
            customer = customer_with_address()
        else:
            from datetime import date

            customer = Customer.objects.create(name="Li Lei", phone="13700137000", birth_date=date(1990, 5, 1))
        customer.user = user
        customer.save(update_fields=["user"])
    web = client_for(shop, user)
    assert web.post(f"/shop/products/{product.pk}/add/", {"quantity": "1"}).status_code == 302
    return web


def test_the_cart_shows_the_saved_address_and_the_order_ships_to_the_edited_one(
        shop, linked, django_capture_on_commit_callbacks):  # fmt: skip
    web = _buyer(shop)
    cart = web.get("/shop/cart/", **EN).content.decode()
    checkout_form = cart[cart.index('data-testid="checkout"'):]
    assert "Ship to" in checkout_form and 'value="世纪大道 100 号"' in checkout_form
    edited = {**SHOWN_ADDRESS, "address": "张江路 8 号 2 楼", "name": "Wang Fang (office)"}
    with django_capture_on_commit_callbacks(execute=True):
        done = web.post("/shop/checkout/", {**edited, "payment_method": "sandbox-new", "checkout_key": "addr-1"})
    assert done.status_code == 302
    with schema_context(shop.schema_name):
        order = Order.objects.get()
        assert order.fulfilment.ship_to == {key: edited[key] for key in SHOWN_ADDRESS}
        assert ShippingAddress.objects.get().address == "张江路 8 号 2 楼"
    mine = web.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    assert "Ship to" in mine and "张江路 8 号 2 楼" in mine and "Wang Fang (office)" in mine
    staff = client_for(shop, staff_user(shop, Role.OWNER)).get(f"/manage/orders/{order.uuid}/", **EN).content.decode()
    assert "张江路 8 号 2 楼" in staff and "13800138000" in staff


def test_paying_without_an_address_is_refused_and_writes_nothing(shop, linked):
    web = _buyer(shop, with_address=False)
    cart = web.get("/shop/cart/", **EN).content.decode()
    assert 'name="address"' in cart[cart.index('data-testid="checkout"'):]
    refused = web.post("/shop/checkout/", {"payment_method": "sandbox-new", "checkout_key": "addr-2"}, **EN)
    page = refused.content.decode()
    assert refused.status_code == 400 and page.count("Add the delivery address before paying.") == 1
    with schema_context(shop.schema_name):
        assert (Order.objects.count(), ShippingAddress.objects.count()) == (0, 0)
    half = web.post("/shop/checkout/", {**SHOWN_ADDRESS, "address": "", "payment_method": "sandbox-new",
                                        "checkout_key": "addr-3"}, **EN)  # fmt: skip
    assert half.status_code == 400
    with schema_context(shop.schema_name):
        assert (Order.objects.count(), ShippingAddress.objects.count()) == (0, 0)


def test_another_shops_staff_cannot_see_the_address(shop, other_shop, linked, django_capture_on_commit_callbacks):
    web = _buyer(shop)
    with django_capture_on_commit_callbacks(execute=True):
        web.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-new", "checkout_key": "addr-4"})
    with schema_context(shop.schema_name):
        order = Order.objects.get()
    other = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert other.get(f"/manage/orders/{order.uuid}/").status_code == 404
