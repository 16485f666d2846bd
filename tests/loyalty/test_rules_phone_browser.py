"""The tier rule editor in chromium at 390 px and 1366 px, in English and Chinese: on a phone
each level is a card of its fields under their names and nothing scrolls sideways; on a
desktop it stays one table row per level. A value typed on the phone is saved."""
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.loyalty.models import TierBasis, TierRuleSet
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.loyalty.test_rules_preset_browser import session_of
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db, pytest.mark.usefixtures("traveller")]

LABELS = {"en": ("Tier name", "Birthday month ×", "Level"), "zh-hans": ("等级名称", "生日月 ×", "等级")}


def _open(browser, base, owner, *, width: int, language: str):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base + "/"},
                         {"name": settings.SESSION_COOKIE_NAME, "value": owner, "url": base + "/"}])  # fmt: skip
    page = context.new_page()
    page.goto(base + "/manage/members/rules/")
    return page


def _labels(page) -> list[str]:
    """The names each field of the first level shows above it (CSS content)."""
    return page.evaluate("[...document.querySelectorAll('.ws-tier-table tbody tr:first-child td')]"
                         ".map(td => getComputedStyle(td, '::before').content)")


def _cards_fit(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.querySelector('.ws-tier-table').parentElement.scrollWidth") <= width
    rows = page.locator(".ws-tier-table tbody tr")
    assert rows.count() >= 4  # the preset's four levels and empty ones to add
    for n in range(rows.count()):
        box = rows.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, n
    last = page.locator("input[name='t3-birthday_multiplier']").bounding_box()
    assert last["x"] >= 0 and last["x"] + last["width"] <= width
    assert not page.locator(".ws-tier-table thead").is_visible()


def test_the_tier_editor_is_cards_on_a_phone_and_a_table_on_a_desktop(shop, monkeypatch, tmp_path):
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    owner = session_of(shop, staff_user(shop, Role.OWNER))
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        for language, (name, birthday, level) in LABELS.items():
            page = _open(browser, base, owner, width=390, language=language)
            _cards_fit(page, 390)
            shown = _labels(page)
            assert f'"{name}"' in shown and f'"{birthday}"' in shown and f'"{level}"' in shown
            screenshot(page, tmp_path, f"tier-rules-390-{language}.png")
            page.context.close()

            page = _open(browser, base, owner, width=1366, language=language)
            assert page.locator(".ws-tier-table thead").is_visible()
            row = page.locator(".ws-tier-table tbody tr").first.bounding_box()
            cells = page.locator(".ws-tier-table tbody tr").first.locator("td")
            assert cells.count() == 11 and row["height"] < 80  # one line per level
            assert cells.nth(0).bounding_box()["y"] == cells.nth(10).bounding_box()["y"]
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366
            assert f'"{name}"' not in _labels(page)  # the column heads name the fields
            screenshot(page, tmp_path, f"tier-rules-1366-{language}.png")
            page.context.close()

        page = _open(browser, base, owner, width=390, language="en")
        page.fill("input[name='t1-points_multiplier']", "1.5")
        page.click("button:has-text('Save the rules and re-evaluate members')")
        page.wait_for_url(base + "/manage/members/rules/")
        assert "The tier rules are saved" in page.inner_text("main")
        with server.db(), schema_context(shop.schema_name):
            rules = TierRuleSet.objects.get(active=True)
            assert [str(t.points_multiplier) for t in rules.tiers.order_by("rank")][1] in ("1.5", "1.50")
