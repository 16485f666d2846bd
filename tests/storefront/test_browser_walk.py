"""A customer walks the H5 storefront in chromium on a 390 × 844 phone, in both languages:
home → product → add to cart (logging in on the way) → pay with the test card → the paid
order with its parcel → cancel it and see the refund. Screenshots go to screenshots/ in CI."""
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.enums import OrderStatus
from pawpact.storefront.models import Order
from pawpact.storefront.services.catalog import product_save
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.storefront.conftest import customer_with_address

pytestmark = browser_marks
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WORDS = {  # language → (browser locale, texts the pages must show: cart button, paid, cancelled, refund)
    "en": ("en-US", ("Add to cart", "Pay ¥258.00", "Paid", "Cancelled", "returned to your payment method")),
    "zh-hans": ("zh-CN", ("加入购物车", "支付 ¥258.00", "已支付", "已取消", "已原路退回")),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_buys_on_the_phone_pays_and_cancels(shop, linked, monkeypatch, tmp_path, language):
    locale, texts = WORDS[language]
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
        product_save(sku="L-0001", price_minor=4_500)
        user = User.objects.create_user("walker@alpha.test", "pw-long-enough-1")
        customer = customer_with_address()
        customer.user = user
        customer.save(update_fields=["user"])
    connection.set_schema_to_public()
    base = f"http://{host_of(shop)}"
    with live_browser(monkeypatch) as (browser, server):
        context = browser.new_context(locale=locale, **PHONE)
        context.add_cookies([{"name": "django_language", "value": language, "url": f"{base}:{server.port}/"}])
        phone = context.new_page()
        phone.on("dialog", lambda dialog: dialog.accept())
        phone.goto(f"{base}:{server.port}/shop/")
        screenshot(phone, tmp_path, f"storefront-walk-{language}-390-01-home.png")
        phone.locator(f"a.sf-item[href='/shop/products/{product.pk}/']").click()
        assert texts[0] in phone.content()
        screenshot(phone, tmp_path, f"storefront-walk-{language}-390-02-product.png")
        phone.locator("form[action$='/add/'] button").click()
        phone.wait_for_url("**/accounts/login/**")
        phone.fill("input[name=login]", "walker@alpha.test")
        phone.fill("input[name=password]", "pw-long-enough-1")
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_url(f"**/shop/products/{product.pk}/")
        phone.fill("#quantity", "2")
        phone.locator("form[action$='/add/'] button").click()
        phone.wait_for_url("**/shop/cart/")
        assert texts[1] in phone.content()
        screenshot(phone, tmp_path, f"storefront-walk-{language}-390-03-cart.png")
        phone.locator("form[action='/shop/checkout/'] button").click()
        phone.wait_for_url("**/shop/orders/*/")
        assert texts[2] in phone.content() and "¥258.00" in phone.content()
        screenshot(phone, tmp_path, f"storefront-walk-{language}-390-04-paid.png")
        with server.db(), schema_context(shop.schema_name):
            order = Order.objects.get(customer=customer)
            assert (order.status, order.total_minor, order.lines.get().quantity) == (OrderStatus.PAID, 25_800, 2)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        phone.locator("form[action$='/cancel/'] button").click()
        phone.wait_for_url(f"**/shop/orders/{order.uuid}/")
        assert texts[3] in phone.content() and texts[4] in phone.content()
        screenshot(phone, tmp_path, f"storefront-walk-{language}-390-05-cancelled.png")
        with server.db(), schema_context(shop.schema_name):
            order.refresh_from_db()
            assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 25_800)
