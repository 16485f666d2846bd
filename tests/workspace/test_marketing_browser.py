"""The marketing pages and "My coupons" at 1366 and 390 px, in both languages, in a real
browser served by the app (the campaign's ECharts results drawn); screenshots go to
$PAWPACT_SCREENSHOT_DIR (or the test's tmp dir)."""
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.customers.models import Customer
from pawpact.loyalty.campaign_runs import campaign_run
from pawpact.loyalty.campaigns import campaign_create
from pawpact.loyalty.coupon_models import TriggerKind
from pawpact.loyalty.coupon_templates import coupon_template_save
from pawpact.loyalty.coupon_triggers import trigger_set
from pawpact.loyalty.coupons import coupon_issue, coupon_redeem_order
from pawpact.loyalty.segments import segment_save
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.loyalty.coupon_helpers import amount_off, free_service
from tests.workspace.conftest import staff_user

pytestmark = browser_marks

DESK = ["/manage/marketing/", "/manage/marketing/templates/new/", "/manage/marketing/coupons/",
        "/manage/marketing/triggers/", "/manage/marketing/segments/", "/manage/marketing/campaigns/"]  # fmt: skip


def _seed(shop) -> tuple[str, User]:
    with schema_context(shop.schema_name):
        user = User.objects.create_user("phone@alpha.test", "pw-long-enough-1", name="Zhang Wei")
        me = Customer.objects.create(name="张伟", phone="13800000077", birth_date=date(1990, 3, 9), user=user)
        others = [Customer.objects.create(name=f"顾客 {n}", phone=f"1380000010{n}", birth_date=date(1990, 1, 1))
                  for n in range(4)]  # fmt: skip
        fifty = amount_off(5_000, min_spend_minor=20_000, per_customer_limit=3)
        groom = free_service("grooming")
        coupon_template_save(name="首月半价", kind="first_month_half", valid_days=30)
        trigger_set(kind=TriggerKind.BIRTHDAY, template=fifty)
        coupon_issue(template=fifty, customer=me, source_key="a")
        coupon_issue(template=groom, customer=me, source_key="b")
        used = coupon_issue(template=fifty, customer=me, source_key="c")
        coupon_redeem_order(customer=me, coupon_code=used.code, order_uuid="order-1", amount_minor=5_000)
        segment = segment_save(name="全部顾客", filters={})
        segment_save(name="高价值", filters={"r_min": 4, "m_min": 4})
        campaign = campaign_create(name="春季回馈", segment=segment, kind="coupon", template=fifty)
        campaign_run(campaign_id=campaign.pk)
        assert len(others) == 4
    return str(campaign.uuid), user


def _session(shop, user) -> str:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_marketing_pages_and_my_coupons_in_a_browser(shop, monkeypatch, tmp_path, language):
    campaign_uuid, customer_user = _seed(shop)
    owner = _session(shop, staff_user(shop, Role.OWNER))
    phone = _session(shop, customer_user)
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        for width in (1366, 390):
            desk = browser.new_context(viewport={"width": width, "height": 900})
            desk.add_cookies([{"name": "django_language", "value": language, "url": base + "/"},
                              {"name": settings.SESSION_COOKIE_NAME, "value": owner, "url": base + "/"}])  # fmt: skip
            page = desk.new_page()
            for path in [*DESK, f"/manage/marketing/campaigns/{campaign_uuid}/"]:
                response = page.goto(base + path)
                assert response.status == 200, path
                name = path.strip("/").replace("/", "-")[:60]
                if path.startswith("/manage/marketing/campaigns/") and path != "/manage/marketing/campaigns/":
                    page.wait_for_selector("[data-echarts][data-drawn] svg")
                    name = "manage-marketing-campaign"
                screenshot(page, tmp_path, f"{name}-{width}-{language}.png")
            desk.close()
            mobile = browser.new_context(viewport={"width": width, "height": 844})
            mobile.add_cookies([{"name": "django_language", "value": language, "url": base + "/"},
                                {"name": settings.SESSION_COOKIE_NAME, "value": phone, "url": base + "/"}])  # fmt: skip
            page = mobile.new_page()
            assert page.goto(base + "/my/coupons/").status == 200
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, tmp_path, f"my-coupons-{width}-{language}.png")
            mobile.close()
