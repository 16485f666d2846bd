"""Settings → Developers in chromium, in both languages, at desktop (1366 px) and phone
(390 px) width: on a phone each key is a card, nothing is wider than the screen; the guide is linked.
Screenshots: the test's tmp dir and $PAWPACT_SCREENSHOT_DIR when set."""
import pytest
from django_tenants.utils import schema_context

from pawpact.accounts.api_keys import api_key_create
from pawpact.accounts.models import User
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.workspace.conftest import staff_user
from tests.workspace.test_wallet_browser import session_cookie

pytestmark = [*browser_marks, pytest.mark.django_db]
WORDS = {"en": "Secret API keys", "zh-hans": "API 密钥"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_developers_page_at_desktop_and_phone_width(shop, monkeypatch, tmp_path, language):
    owner = staff_user(shop, Role.OWNER)
    with schema_context(shop.schema_name):
        user = User.objects.get(pk=owner.pk)
        api_key_create(user=user, name="ERP 订单同步", livemode=False)
        api_key_create(user=user, name="CRM", livemode=False)
    host = host_of(shop)
    with live_browser(monkeypatch) as (browser, server):
        for width, height in ((1366, 900), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
            context.add_cookies([
                {"name": "sessionid", "value": session_cookie(shop, owner), "domain": host, "path": "/"},
                {"name": "django_language", "value": language, "domain": host, "path": "/"},
            ])  # fmt: skip
            page = context.new_page()
            page.goto(server.url(host, "/manage/settings/developers/"))
            page.fill("#api-key-name", "Mini-program backend")
            page.click("form:has(#api-key-name) button[type=submit]")
            secret = page.locator("#api-key-secret").inner_text()
            assert secret.startswith("sk_test_") and len(secret) == 48
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (width, overflow)
            assert WORDS[language] in page.content()
            if width < 500:  # a key per card, each cell the card's width: no column squeezed to a character
                cells = page.eval_on_selector_all(
                    "table.ws-stack td[data-label]", "cells => cells.map(c => c.getBoundingClientRect().width)"
                )
                assert cells and min(cells) > 250, cells
            assert page.locator("#api-guide-link").get_attribute("href") == f"http://{host}:{server.port}/api/v1/guide"
            screenshot(page, tmp_path, f"developers-{language}-{width}.png")
            context.close()
