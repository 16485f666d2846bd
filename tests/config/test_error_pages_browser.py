"""The not-found page in chromium, as a shop owner or customer sees it: on the public site
and a shop's host, in both languages, at desktop width and on a 390 px phone; its home
link leads home. Screenshots go to the test's tmp dir, or to $PAWPACT_SCREENSHOT_DIR."""
import pytest
from django.conf import settings
from django.test import Client

from tests.browser import browser_marks, chromium, fetch, page_serve, screenshot
from tests.conftest import host_of

pytestmark = browser_marks

WIDTHS = (1280, 390)
TEXTS = {  # language → (heading, link home on the public site, on the shop's host)
    "en": ("Page not found", "Back to the home page", "Back to Alpha Pets"),
    "zh-hans": ("页面不存在", "返回首页", "返回 Alpha Pets"),
}
HOME_TITLE = {"public": "Pawpact", "shop": "Alpha Pets"}


@pytest.fixture
def served(shop) -> dict:
    """(host kind, language) → the unknown page's URL and every response the browser needs."""
    hosts = {"public": settings.PAWPACT_BASE_DOMAIN, "shop": host_of(shop)}
    served = {}
    for kind, host in hosts.items():
        for language in TEXTS:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            missing, home = f"http://{host}/no-such-page/", f"http://{host}/"
            served[kind, language] = (missing, {
                missing: fetch(client, missing, status=404), home: fetch(client, home),
            })  # fmt: skip
    return served


def test_an_unknown_address_shows_the_friendly_page_and_leads_home(served, tmp_path):
    with chromium() as browser:
        for (kind, language), (url, responses) in served.items():
            heading, public_home, shop_home = TEXTS[language]
            link_text = public_home if kind == "public" else shop_home
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 800})
                page_serve(page, responses)
                page.goto(url)
                name = f"not-found-{kind}-{language}-{width}.png"

                assert page.title() == f"{heading} · {HOME_TITLE[kind]}", name
                assert page.locator("h1").inner_text() == heading
                assert page.locator("html").get_attribute("lang") == language
                assert page.locator("select[name=language]").input_value() == language
                link = page.get_by_role("link", name=link_text)
                box = link.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, name  # on screen, phone included
                assert page.evaluate("document.documentElement.scrollWidth") <= width, name  # no sideways scroll
                assert screenshot(page, tmp_path, name).stat().st_size > 5_000

                link.click()
                page.wait_for_url(url.removesuffix("no-such-page/"))
                assert page.title() == HOME_TITLE[kind]
                page.close()
