"""The members list and the coupon templates at 390 px in chromium: rows read as cards (the
status and the R·F·M scores on screen, not squeezed a character a line) and the chart labels
every tier; the owner scores R·F·M on demand so segments show members without the nightly run."""
from datetime import timedelta

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.loyalty.coupon_templates import coupon_template_save
from pawpact.loyalty.models import Membership, TierBasis
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.loyalty.conftest import NOW
from tests.loyalty.helpers import order
from tests.loyalty.test_rules_preset_browser import session_of
from tests.storefront.test_my_plans import customer_with_login
from tests.workspace.conftest import client_for, staff_user

pytestmark = [*browser_marks, pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def _members(shop, n: int = 3):
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        customers = [customer_with_login(shop) for _ in range(n)]
        for i, customer in enumerate(customers):
            points_events_apply(events=[order(customer, at=NOW - timedelta(days=2 + i), amount_minor=50_000 * (i + 1))])
        coupon_template_save(name="A rather long coupon name for the spring", kind="amount_off",
                             amount_off_minor=2_000, valid_days=30)  # fmt: skip
    return customers


def test_owner_scores_rfm_now_and_only_the_owner(shop, other_shop):
    _members(shop)
    with schema_context(shop.schema_name):
        assert not Membership.objects.filter(rfm_recency__gt=0).exists()
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.post("/manage/members/rfm/refresh/").status_code == 403
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    done = owner.post("/manage/members/rfm/refresh/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "3 members scored" in done.content.decode()
    with schema_context(shop.schema_name):
        scores = sorted(Membership.objects.values_list("rfm_recency", "rfm_monetary"))
        # Quintiles of three: the most recent spent least here (orders of ¥500, ¥1,000, ¥1,500, newest first).
        assert scores == [(1, 3), (2, 2), (3, 1)]
    listed = owner.get("/manage/members/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not scored yet" not in listed
    with schema_context(other_shop.schema_name):
        assert not Membership.objects.filter(rfm_recency__gt=0).exists()


def test_members_and_coupon_templates_read_at_390_px(shop, monkeypatch, tmp_path):
    _members(shop)
    owner = session_of(shop, staff_user(shop, Role.OWNER))
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base + "/"},
                             {"name": settings.SESSION_COOKIE_NAME, "value": owner, "url": base + "/"}])  # fmt: skip
        page = context.new_page()
        page.goto(base + "/manage/members/")
        page.click("button:has-text('R·F·M')")
        page.wait_for_selector("[data-echarts][data-drawn] svg")
        cell = page.locator("td[data-label='R · F · M']").first.bounding_box()
        assert cell["height"] < 40 and cell["x"] + cell["width"] <= 390
        chart_text = page.locator("[data-echarts] svg").inner_html()
        for label in ("青铜", "白银", "黄金", "钻石"):
            assert label in chart_text, label
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, tmp_path, "members-390-zh.png")
        page.goto(base + "/manage/marketing/")
        badge = page.locator("td[data-label] .ws-badge").first.bounding_box()
        assert badge["x"] + badge["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, tmp_path, "coupon-templates-390-zh.png")
