"""The interactive API docs in chromium, under the site's Content-Security-Policy: the page
runs no inline script, so Swagger UI starts and lists the operations, in both languages,
at desktop and phone width. Screenshots: the test's tmp dir and $PAWPACT_SCREENSHOT_DIR."""
import pytest

from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of

pytestmark = [*browser_marks, pytest.mark.django_db]


def test_docs_page_lists_the_operations_under_the_csp(shop, monkeypatch, tmp_path):
    host = host_of(shop)
    with live_browser(monkeypatch) as (browser, server):
        for width, language, title in ((1280, "en", "Pawpact shop API"), (390, "zh-hans", "Pawpact 门店 API")):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
            page = context.new_page()
            refused: list[str] = []
            page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text else None)
            response = page.goto(server.url(host, "/api/v1/docs"))
            assert "script-src" in response.all_headers()["content-security-policy"]
            page.wait_for_selector(".opblock", timeout=60_000)
            page.wait_for_timeout(3_000)
            screenshot(page, tmp_path, f"api-docs-{language}-{width}.png")
            assert page.locator(".swagger-ui .info .title").inner_text().startswith(title)
            assert page.locator(".opblock").count() >= 1
            assert "/api/v1/" in page.locator(".opblock-summary-path").first.inner_text()
            assert refused == []
            context.close()


def test_the_docs_page_switches_to_the_chinese_schema(shop, monkeypatch, tmp_path):
    with live_browser(monkeypatch) as (browser, server):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
        page = context.new_page()
        page.goto(server.url(host_of(shop), "/api/v1/docs"))
        page.wait_for_selector(".opblock", timeout=60_000)
        page.get_by_role("link", name="中文").click()
        page.wait_for_selector(".opblock", timeout=60_000)
        page.wait_for_timeout(2_000)
        screenshot(page, tmp_path, "api-docs-lang-zh-hans-1280.png")
        assert page.url.endswith("/api/v1/docs?lang=zh-hans")
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("Pawpact 门店 API")
        assert "幂等" in page.locator(".swagger-ui .info").inner_text()
        context.close()
