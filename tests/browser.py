"""Pages in a real browser: Debian's chromium driven by Playwright, never a downloaded one.

The browser navigates to the real addresses (http://alpha.localhost/…); every request
it makes is answered with a response Django's test client produced beforehand in the
test's own thread and transaction (Playwright's event loop would make Django refuse
synchronous database calls), so the pages see the test's data.

Without chromium or playwright the tests marked with `browser_marks` are skipped;
under PAWPACT_REQUIRE_BROWSER=1 (CI) such a skip fails the run (tests/conftest.py).
"""
import importlib.util
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no browser: {CHROMIUM} is missing (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "no browser driver: the playwright package is missing (pip install -e '.[dev]')"
    return None


browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]


@contextmanager
def chromium() -> Iterator:
    # Imported here: the package is optional where the browser tests are skipped.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fetch(client: Client, url: str, *, status: int = 200, **headers: str):
    """The response at `url` through the whole Django stack (host routing, middleware, login)."""
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""), HTTP_HOST=parts.hostname,
                          **headers)  # fmt: skip
    assert response.status_code == status, (url, response.status_code)
    return response


def page_serve(page, responses: Mapping[str, object]) -> None:
    """Answer the browser's requests with `responses` (url → Django response); anything
    else, an empty 404: the pages need no other file (inline CSS and SVG)."""

    def handle(route):
        response = responses.get(route.request.url)
        if response is None:
            route.fulfill(status=404, body=b"")
        else:
            route.fulfill(status=response.status_code, headers=dict(response.items()), body=response.content)

    page.route("**/*", handle)


def page_open(page, url: str, response) -> None:
    page_serve(page, {url: response})
    page.goto(url)


def screenshot(page, tmp_path: Path, name: str) -> Path:
    """A full-page PNG in the test's tmp dir, copied to $PAWPACT_SCREENSHOT_DIR when set."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    folder = os.environ.get("PAWPACT_SCREENSHOT_DIR")
    if folder:
        shutil.copy(path, Path(folder) / name)
    return path
