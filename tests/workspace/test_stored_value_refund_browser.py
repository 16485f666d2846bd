"""A stored-value refund in chromium at 390 px in Chinese: the manager asks, sees where each
part goes (back to the payment method, cash at the counter), confirms; the customer's page
says where a refund would go. Nothing scrolls sideways."""
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.loyalty.models import StoredValueAccount
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.loyalty.test_rules_preset_browser import session_of
from tests.workspace.conftest import staff_user
from tests.workspace.test_stored_value_refund_pages import paid_both_ways  # noqa: F401 — the fixture

pytestmark = [*browser_marks, pytest.mark.django_db]


def _phone(browser, base, session):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base + "/"},
                         {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base + "/"}])  # fmt: skip
    return context.new_page()


def test_a_refund_on_a_phone_says_where_the_money_goes(shop, paid_both_ways, monkeypatch, tmp_path):  # noqa: F811
    customer, _token = paid_both_ways
    manager = session_of(shop, staff_user(shop, Role.MANAGER))
    own = session_of(shop, customer.user)
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        page = _phone(browser, base, own)
        page.goto(base + "/my/stored-value/")
        routes = page.locator("[data-testid='refund-routes-list']").inner_text()
        assert "退回测试支付方式 ¥1,000.00" in routes and "门店现金退还 ¥200.00" in routes
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, tmp_path, "stored-value-customer-390-zh.png")

        page = _phone(browser, base, manager)
        page.goto(base + f"/manage/marketing/stored-value/{customer.uuid}/")
        page.fill("#refund input[name='amount']", "300")
        page.click("#refund button[type='submit']")
        confirm = page.locator("[data-testid='refund-confirm']").inner_text()
        assert "门店现金退还 ¥200.00" in confirm and "退回测试支付方式 ¥100.00" in confirm
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, tmp_path, "stored-value-refund-confirm-390-zh.png")
        page.click("[data-testid='refund-confirm'] button[type='submit']")
        page.wait_for_selector("[data-testid='refunds']")
        assert "请以现金将 ¥200.00 交还顾客。" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, tmp_path, "stored-value-refunded-390-zh.png")
        with server.db(), schema_context(shop.schema_name):
            assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(90_000, 7_501)]
