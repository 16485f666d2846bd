"""Referrals, the points mall and stored value in chromium, in both languages, at desktop
(1366 px) and phone (390 px) width: the staff pages in the workspace frame and the
customer's pages, with nothing wider than the screen. Screenshots: the test's tmp dir and
$PAWPACT_SCREENSHOT_DIR when set."""
from datetime import date

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.services import customer_register
from pawpact.loyalty import mall, referrals, stored_value
from pawpact.loyalty.models import GiftRule
from pawpact.loyalty.points import EarnEvent, points_events_apply
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import SHOP_PASSWORD, host_of
from tests.loyalty.conftest import NOW
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db]
STAFF_PAGES = {"referrals": "/manage/marketing/referrals/", "mall": "/manage/marketing/mall/",
               "stored-value": "/manage/marketing/stored-value/"}  # fmt: skip
CUSTOMER_PAGES = {"my-stored-value": "/my/stored-value/", "my-mall": "/my/mall/", "my-referral": "/my/referral/"}
WORDS = {"en": ("Stored value", "Points mall", "Refer a friend"), "zh-hans": ("储值", "积分商城", "推荐好友")}


def session_cookie(shop, user) -> str:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def wallet_data(shop):
    with schema_context(shop.schema_name):
        GiftRule.objects.create(threshold_minor=100_000, gift_minor=10_000)
        GiftRule.objects.create(threshold_minor=50_000, gift_minor=3_000)
        customer, _token = customer_register(email="shots@example.com", password=SHOP_PASSWORD, name="王芳",
                                             phone="13900001999", birth_date=date(1990, 1, 1))  # fmt: skip
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="a")
        stored_value.spend(customer=customer, amount_minor=12_800, key="counter-1", memo="grooming")
        points_events_apply(events=[EarnEvent(source_key="shots:1", source_event="test", customer_id=customer.pk,
                                              base_points=2_600, occurred_at=NOW)])  # fmt: skip
        mall.item_save(name="猫抓板 Cat scratcher", description="瓦楞纸 · corrugated", points=800, cash_minor=0, stock=12)
        toy = mall.item_save(name="冻干零食 Freeze-dried treats", points=1_500, cash_minor=1_990, stock=3)
        mall.item_save(name="宠物床 Pet bed", points=5_000, cash_minor=0, stock=0)
        mall.redeem(customer=customer, item=toy, request_key="r1", payment_method=method)
        newbie, _t = customer_register(email="newbie@example.com", password=SHOP_PASSWORD, name="李雷",
                                       phone="13900002999", birth_date=date(1992, 2, 2))  # fmt: skip
        referrals.claim(newcomer=newbie, code=referrals.code_for(customer=customer).code)
    return customer


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_wallet_pages_at_desktop_and_phone_width(shop, wallet_data, monkeypatch, tmp_path, language):
    owner = staff_user(shop, Role.OWNER)
    cookies = {"staff": session_cookie(shop, owner), "customer": session_cookie(shop, wallet_data.user)}
    host = host_of(shop)
    with live_browser(monkeypatch) as (browser, server):
        for width, height in ((1366, 900), (390, 844)):
            for who, pages in (("staff", STAFF_PAGES), ("customer", CUSTOMER_PAGES)):
                context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
                context.add_cookies([
                    {"name": "sessionid", "value": cookies[who], "domain": host, "path": "/"},
                    {"name": "django_language", "value": language, "domain": host, "path": "/"},
                ])  # fmt: skip
                page = context.new_page()
                for name, path in pages.items():
                    page.goto(server.url(host, path))
                    assert page.locator("main").count() == 1, path
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, (path, width, overflow)
                    screenshot(page, tmp_path, f"wallet-{name}-{language}-{width}.png")
                text = page.content()
                assert any(word in text for word in WORDS[language])
                context.close()
