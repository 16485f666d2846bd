"""The tier rule editor in chromium: a preset picked, edited and saved is the shop's ladder;
a decreasing threshold typed after picking a preset is refused against its cell and nothing
is written."""
import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.loyalty.models import TierBasis, TierRuleSet
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def session_of(shop, user) -> str:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_preset_edited_in_the_browser_is_saved_and_a_decreasing_one_refused(shop, monkeypatch, tmp_path):
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    owner = session_of(shop, staff_user(shop, Role.OWNER))
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.add_cookies([{"name": "django_language", "value": "en", "url": base + "/"},
                             {"name": settings.SESSION_COOKIE_NAME, "value": owner, "url": base + "/"}])  # fmt: skip
        page = context.new_page()
        page.goto(base + "/manage/members/rules/")
        page.click("a[href='?preset=paid_months']")
        page.fill("input[name='t2-min_paid_months']", "2")  # below Gold's 3 months: decreasing
        page.click("button:has-text('Save the rules and re-evaluate members')")
        assert page.locator("input[name='t2-min_paid_months'][aria-invalid='true']").count() == 1
        assert "Must be higher than the tiers below" in page.locator("tbody tr").nth(2).inner_text()
        screenshot(page, tmp_path, "rules-preset-refused.png")
        with server.db(), schema_context(shop.schema_name):
            assert list(TierRuleSet.objects.values_list("version", "basis")) == [(1, TierBasis.SPEND_VISITS)]

        page.fill("input[name='t2-min_paid_months']", "7")
        page.fill("input[name='t1-name']", "Gold star")
        page.click("button:has-text('Save the rules and re-evaluate members')")
        page.wait_for_url(base + "/manage/members/rules/")
        assert "The tier rules are saved" in page.inner_text("main")
        with server.db(), schema_context(shop.schema_name):
            rules = TierRuleSet.objects.get(active=True)
            assert (rules.version, rules.basis) == (2, TierBasis.PAID_MONTHS)
            assert [(t.name, t.min_paid_months) for t in rules.tiers.order_by("rank")][1:3] == [
                ("Gold star", 3), ("Platinum", 7)]
