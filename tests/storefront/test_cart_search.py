"""The cart adds up, can be changed and emptied line by line, and shows each line's total as the
order will; the storefront finds products by name. Another customer's cart is never touched."""
from django_tenants.utils import schema_context

from pawpact.storefront.models import CartLine
from pawpact.storefront.services.catalog import product_save
from tests.storefront.test_pages import _customer_user, _login
from tests.storefront.conftest import SHOWN_ADDRESS

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_adding_twice_adds_up_and_lines_can_be_changed_or_removed(shop, linked):
    with schema_context(shop.schema_name):
        food, litter = product_save(sku="FC-0001", price_minor=12_900), product_save(sku="L-0001", price_minor=4_500)
    buyer = _login(shop, _customer_user(shop))
    other = _login(shop, _customer_user(shop, email="other@alpha.test", phone="13900139000"))
    other.post(f"/shop/products/{food.pk}/add/", {"quantity": "1"})
    buyer.post(f"/shop/products/{food.pk}/add/", {"quantity": "2"})
    added = buyer.post(f"/shop/products/{food.pk}/add/", {"quantity": "3"}, follow=True, **EN).content.decode()
    assert "Added: 5 in your cart now." in added
    assert "¥645.00" in added and "¥129.00 each" in added  # the line's total, as the order shows it
    buyer.post(f"/shop/products/{litter.pk}/add/", {"quantity": "1"})
    too_many = buyer.post(f"/shop/products/{food.pk}/add/", {"quantity": "95"}, follow=True, **EN).content.decode()
    assert "The cart already holds 5" in too_many
    changed = buyer.post("/shop/cart/", {"action": "line", "product": food.pk, "quantity": "2"}, follow=True, **EN)
    assert "Cart updated." in changed.content.decode() and "¥258.00" in changed.content.decode()
    bad = buyer.post("/shop/cart/", {"action": "line", "product": food.pk, "quantity": "x"}, follow=True, **EN)
    assert "Quantities are 0 to 99." in bad.content.decode()
    buyer.post("/shop/cart/", {"action": "line", "product": litter.pk, "remove": "1"})
    with schema_context(shop.schema_name):
        lines = sorted(CartLine.objects.values_list("customer__phone", "product__warehouse_sku__sku", "quantity"))
    assert sorted((sku, n) for _phone, sku, n in lines) == [("FC-0001", 1), ("FC-0001", 2)]  # the other's 1 untouched


def test_the_storefront_finds_products_by_name(shop, linked):
    with schema_context(shop.schema_name):
        food, litter = product_save(sku="FC-0001", price_minor=12_900), product_save(sku="L-0001", price_minor=4_500)
        assert "adult cat" in food.warehouse_sku.name_en and "adult cat" not in litter.warehouse_sku.name_en
        assert "猫砂" in litter.warehouse_sku.name and "猫砂" not in food.warehouse_sku.name
    client = _login(shop, _customer_user(shop))
    front = client.get("/shop/", **EN).content.decode()
    assert 'type="search" name="q"' in front
    found = client.get("/shop/", {"q": "ADULT CAT"}, **EN).content.decode()
    assert f"/shop/products/{food.pk}/" in found and f"/shop/products/{litter.pk}/" not in found
    in_chinese = client.get("/shop/", {"q": "猫砂"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"/shop/products/{litter.pk}/" in in_chinese
    nothing = client.get("/shop/", {"q": "zzz-no-such"}, **EN).content.decode()
    assert "Nothing matches" in nothing and f"/shop/products/{food.pk}/" not in nothing


def test_the_coupon_that_saves_most_is_preselected(shop, linked):
    from pawpact.loyalty.coupons import coupon_issue
    from pawpact.storefront.services.orders import cart_set
    from tests.loyalty.coupon_helpers import amount_off
    from tests.storefront.test_my_plans import browser_of, customer_with_login

    customer = customer_with_login(shop)
    with schema_context(shop.schema_name):
        cart_set(customer=customer, product=product_save(sku="FC-0001", price_minor=12_900), quantity=2)
        small = coupon_issue(template=amount_off(1_000), customer=customer, source_key="small")
        big = coupon_issue(template=amount_off(3_000), customer=customer, source_key="big")
    page = browser_of(shop, customer).get("/shop/cart/", **EN).content.decode()
    assert f'value="{big.code}" checked' in page and f'value="{small.code}" checked' not in page
    assert 'name="coupon_pick" value="" checked' not in page


def test_a_declined_test_card_can_be_tried_from_the_cart(shop, linked, django_capture_on_commit_callbacks):
    import re

    from pawpact.storefront.models import Order

    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    buyer = _login(shop, _customer_user(shop))
    buyer.post(f"/shop/products/{product.pk}/add/", {"quantity": "1"})
    cart = buyer.get("/shop/cart/", **EN).content.decode()
    assert 'value="sandbox-declined"' in cart and "declined: insufficient funds" in cart
    key = re.search(r'name="checkout_key" value="(\w+)"', cart).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        done = buyer.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-declined", "checkout_key": key}, follow=True, **EN)
    with schema_context(shop.schema_name):
        order = Order.objects.get()
        assert (order.paid_at, order.payment_method.token.split(".")[0]) == (None, "tok_insufficient_funds")
    assert order.status != "paid" and done.status_code == 200
