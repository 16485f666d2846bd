"""The customer's H5 shop and the staff catalog, through the whole stack; and what another
shop's host, a customer or someone else's order may not reach."""
import re

from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.enums import OrderStatus
from pawpact.storefront.models import Order, Product
from pawpact.storefront.services.catalog import product_save
from tests.conftest import host_of
from tests.storefront.conftest import as_manager, customer_with_address
from tests.storefront.conftest import SHOWN_ADDRESS


def _login(shop, user) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client


def _customer_user(shop, email="buyer@alpha.test", phone="13800138000"):
    with schema_context(shop.schema_name):
        user = User.objects.create_user(email, "pw-long-enough-1")
        customer = customer_with_address(phone=phone)
        customer.user = user
        customer.save(update_fields=["user"])
    return user


def test_anonymous_browse_then_buy_and_track(shop, linked, shop_client, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    front = shop_client.get("/shop/")
    assert front.status_code == 200 and "¥129.00" in front.content.decode()
    assert shop_client.get(f"/shop/products/{product.pk}/").status_code == 200
    assert shop_client.post(f"/shop/products/{product.pk}/add/").status_code == 302  # to the login
    client = _login(shop, _customer_user(shop))
    assert client.post(f"/shop/products/{product.pk}/add/", {"quantity": "2"}).status_code == 302
    cart = client.get("/shop/cart/").content.decode()
    key = re.search(r'name="checkout_key" value="(\w+)"', cart).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-new", "checkout_key": key})
    with schema_context(shop.schema_name):
        order = Order.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/shop/orders/{order.uuid}/"
    assert (order.status, order.total_minor) == (OrderStatus.PAID, 25_800)
    page = client.get(done["Location"]).content.decode()
    assert "At the warehouse" in page and "¥258.00" in page


def test_bad_quantity_and_someone_elses_order_write_nothing(shop, linked, shop_client):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    client = _login(shop, _customer_user(shop))
    response = client.post(f"/shop/products/{product.pk}/add/", {"quantity": "-3"}, follow=True)
    assert "Quantities are 1 to 99." in response.content.decode()
    with schema_context(shop.schema_name):
        assert not Product.objects.get(pk=product.pk).warehouse_sku_id is None
        from pawpact.storefront.models import CartLine

        assert CartLine.objects.count() == 0
    other = _login(shop, _customer_user(shop, email="other@alpha.test", phone="13900139000"))
    assert other.get("/shop/orders/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_other_shop_sees_nothing_of_this_shops_catalog_or_orders(shop, other_shop, linked):
    with schema_context(shop.schema_name):
        product_save(sku="FC-0001", price_minor=12_900)
    other = Client(HTTP_HOST=host_of(other_shop))
    assert "¥129.00" not in other.get("/shop/").content.decode()
    assert other.get("/shop/products/1/").status_code == 404
    with schema_context(other_shop.schema_name):
        staff = User.objects.create_user("staff@beta.test", "pw-long-enough-1", is_staff=True)
    page = _login(other_shop, staff).get("/manage/catalog/").content.decode()
    assert "not linked to a warehouse" in page and "FC-0001" not in page


def test_staff_catalog_shows_cost_margin_and_refuses_a_price_below_cost(shop, linked):
    with schema_context(shop.schema_name):
        staff = as_manager(User.objects.create_user("staff@alpha.test", "pw-long-enough-1", is_staff=True))
    client = _login(shop, staff)
    page = client.get("/manage/catalog/?q=FC-0001").content.decode()
    assert "FC-0001" in page and "¥79.00" in page
    refused = client.post("/manage/catalog/?q=FC-0001", {"sku": "FC-0001", "price": "70", "is_listed": "on"}, follow=True)
    assert "FC-0001: The price is below the warehouse" in refused.content.decode()
    assert 'name="price" inputmode="decimal" value="70"' in refused.content.decode()  # what was typed stays
    with schema_context(shop.schema_name):
        assert Product.objects.count() == 0
    client.post("/manage/catalog/?q=FC-0001", {"sku": "FC-0001", "price": "99.50", "is_listed": "on"})
    with schema_context(shop.schema_name):
        assert Product.objects.get().price_minor == 9_950
    assert "21% · low" in client.get("/manage/catalog/?q=FC-0001").content.decode()  # (99.50-79)/99.50, flagged low
    customer = _login(shop, _customer_user(shop))
    assert customer.get("/manage/catalog/").status_code == 403
