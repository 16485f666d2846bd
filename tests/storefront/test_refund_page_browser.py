"""The staff order page's refund form in a real browser, on a phone and a laptop: no reason
preselected, a decimal comma refused in words, nothing wider than the screen."""
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.storefront.conftest import as_manager
from tests.storefront.test_refunds import _client, _paid_order

pytestmark = browser_marks


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_refund_form_on_a_phone_and_a_laptop(shop, linked, monkeypatch, tmp_path, language):
    with schema_context(shop.schema_name):
        order = _paid_order()
        staff = as_manager(User.objects.create_user("staff@alpha.test", "pw-long-enough-1", is_staff=True))
    session = _client(shop, staff).cookies[settings.SESSION_COOKIE_NAME].value
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        for width in (390, 1366):
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.add_cookies([{"name": "django_language", "value": language, "url": base + "/"},
                                 {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base + "/"}])  # fmt: skip
            page = context.new_page()
            assert page.goto(f"{base}/manage/orders/{order.uuid}/").status == 200
            assert page.locator("select[name=reason]").input_value() == ""
            page.fill("input[name=amount]", "12,50")
            page.once("dialog", lambda dialog: dialog.accept())  # the refund asks to be confirmed
            page.locator("form[data-confirm] button", has_text="Refund" if language == "en" else "退款").last.click()
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, tmp_path, f"order-refund-{language}-{width}.png")
            context.close()
