"""The shop's pages in a real browser at 390 px (customer) and 1280 px (staff), in both
languages; screenshots go to $PAWPACT_SCREENSHOT_DIR (or the test's tmp dir)."""
import pytest
from django.db import connections
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.models import Order
from pawpact.storefront.services.catalog import product_save
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import host_of
from tests.storefront.conftest import as_manager
from tests.storefront.test_pages import _customer_user, _login
from tests.storefront.conftest import SHOWN_ADDRESS

pytestmark = browser_marks


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_shop_pages_render_at_phone_and_desk_width(shop, linked, language, tmp_path, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        for sku, price in (("FC-0001", 12_900), ("L-0001", 4_500), ("S-0001", 1_900), ("T-0001", 9_900)):
            product = product_save(sku=sku, price_minor=price)
        staff = as_manager(User.objects.create_user("staff@alpha.test", "pw-long-enough-1", is_staff=True))
    customer = _login(shop, _customer_user(shop))
    customer.cookies["django_language"] = language
    customer.post(f"/shop/products/{product.pk}/add/", {"quantity": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        customer.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": "sandbox-new", "checkout_key": "browser"})
    customer.post(f"/shop/products/{product.pk}/add/", {"quantity": "2"})
    with schema_context(shop.schema_name):
        order = Order.objects.get()
    desk = _login(shop, staff)
    desk.cookies["django_language"] = language
    base = f"http://{host_of(shop)}"
    phone_pages = {"front": "/shop/", "product": f"/shop/products/{product.pk}/", "cart": "/shop/cart/",
                   "order": f"/shop/orders/{order.uuid}/"}  # fmt: skip
    responses = {name: fetch(customer, base + path) for name, path in phone_pages.items()}
    desk_pages = {"catalog": fetch(desk, base + "/manage/catalog/?category=food"), "parcels": fetch(desk, base + "/manage/parcels/")}
    with chromium() as browser:
        for width, pages in ((390, responses), (1280, {**responses, **desk_pages})):
            page = browser.new_page(viewport={"width": width, "height": 844})
            for name, response in pages.items():
                page_open(page, f"{base}/{name}", response)
                assert page.locator("main").is_visible()
                screenshot(page, tmp_path, f"storefront-{name}-{width}-{language}.png")
            page.close()
    connections["default"].set_schema_to_public()
