"""A declined order at 390 px, in English and Chinese: "Not paid", the reason and the button to
pay again fit the phone's width (the page does not scroll sideways)."""
from django_tenants.utils import schema_context

from pawpact.storefront.services.catalog import product_save
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import host_of
from tests.storefront.test_pages import _customer_user, _login
from tests.storefront.test_declined_order import _declined_order

pytestmark = browser_marks

MEASURE = """() => {
  const button = document.querySelector('[data-declined] button');
  return {page: document.documentElement.scrollWidth, button: button.getBoundingClientRect().width,
          right: button.getBoundingClientRect().right, amount: document.querySelector('[data-order-amount]').innerText};
}"""


def test_a_declined_order_on_a_phone(shop, linked, tmp_path, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    buyer = _login(shop, _customer_user(shop))
    order = _declined_order(shop, buyer, product, django_capture_on_commit_callbacks)
    url = f"http://{host_of(shop)}/shop/orders/{order.uuid}/"
    # Fetched before the browser starts: Playwright's loop would make Django refuse the database.
    responses = {language: fetch(buyer, url, HTTP_ACCEPT_LANGUAGE=language) for language in ("en", "zh-hans")}
    with chromium() as browser:
        for language, words in (("en", "Not paid"), ("zh-hans", "未支付")):
            response = responses[language]
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page_open(page, url, response)
            found = page.evaluate(MEASURE)
            screenshot(page, tmp_path, f"declined-{language}-390.png")
            assert found["page"] <= 390 and found["right"] <= 390 and found["button"] >= 300, found
            assert words in found["amount"] and "258.00" in found["amount"], found
            page.close()
