"""A disabled primary button looks unavailable (grey, not-allowed cursor) on the console and
in the merchant workspace; an enabled one keeps the brand colour. Screenshots at 1366 px."""

from pathlib import Path

from django.conf import settings

from pawpact import workspace

from tests.browser import browser_marks, chromium, fetch, page_serve, screenshot
from tests.platform.test_golive import console, platform_admin  # noqa: F401

pytestmark = browser_marks

GREY = "rgb(228, 231, 235)"
PAGE = """<!doctype html><html><head><link rel="stylesheet" href="/static/workspace/workspace.css"></head>
<body><button id="on">On</button> <button id="off" disabled>Off</button>
<button id="danger" class="danger" disabled>Danger</button></body></html>"""


def _style(page, selector):
    return page.eval_on_selector(selector, "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).cursor]")


def test_the_disabled_go_live_button_looks_disabled(console, shop, tmp_path):  # noqa: F811
    url = f"http://{settings.PAWPACT_BASE_DOMAIN}/console/shops/{shop.pk}/money/"
    response = fetch(console, url, HTTP_ACCEPT_LANGUAGE="en")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page_serve(page, {url: response})
        page.goto(url)
        go_live = "button[disabled][aria-describedby=go-live-help]"
        assert _style(page, go_live) == [GREY, "not-allowed"]
        enabled = page.eval_on_selector_all(
            "button:not([disabled])", "es => es.map(e => getComputedStyle(e).backgroundColor)"
        )
        assert enabled and GREY not in enabled
        screenshot(page, tmp_path, "console-money-disabled-go-live-en-1366.png")


def test_the_workspace_stylesheet_greys_disabled_buttons_of_every_kind():
    css_body = (Path(workspace.__file__).parent / "static/workspace/workspace.css").read_bytes()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 400})
        page.route("**/workspace.css", lambda route: route.fulfill(body=css_body, content_type="text/css"))
        page.route("http://ws.test/", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
        page.goto("http://ws.test/")
        assert _style(page, "#off") == [GREY, "not-allowed"] == _style(page, "#danger")
        assert _style(page, "#on")[0] != GREY
