"""Pages in a real browser: Debian's chromium driven by Playwright, never a downloaded one.

Two ways to reach the app. `app_server()` serves it over real HTTP from a thread that
works inside the test's own database transaction (journeys: many requests, forms,
cookies, htmx; everything is rolled back after the test). `page_open()` answers one page
with a response the test client produced (a single page to look at).

With `page_open`, the browser navigates to the real addresses (http://alpha.localhost/…); every request
it makes is answered with a response Django's test client produced beforehand in the
test's own thread and transaction (Playwright's event loop would make Django refuse
synchronous database calls), so the pages see the test's data.

Without chromium or playwright the tests marked with `browser_marks` are skipped;
under PAWPACT_REQUIRE_BROWSER=1 (CI) such a skip fails the run (tests/conftest.py).
"""
import importlib.util
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connections
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
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / name)
    return path


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class AppServer:
    """The app on http://<host>:<port>."""

    port: int
    lock: threading.Lock
    connection: object

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    @contextmanager
    def db(self) -> Iterator[None]:
        """The test's own database reads, between browser steps: one at a time with the
        server's requests, on the test's connection.

        Inside `sync_playwright()` asyncio counts an event loop as running in this thread,
        and Django then keeps connections per async context: without rebinding, a read
        here would open a second connection outside the test's transaction and see none
        of its rows.
        """
        with self.lock:
            connections["default"] = self.connection
            yield


@contextmanager
def app_server(monkeypatch) -> Iterator[AppServer]:
    """Django on 127.0.0.1:<free port>, one request at a time, on the test's connection.

    A server thread with a connection of its own would see nothing the test wrote (the
    test's transaction is not committed) and would commit what it writes into the session's
    shops. Instead the thread borrows the test's connection: every request runs inside the
    test's transaction (views' atomic blocks become savepoints) and is rolled back with it.
    Django closes connections at the end of each request and when a server stops: on the
    borrowed one that would end the transaction, so closing is switched off while serving.
    Chromium resolves every *.localhost name to 127.0.0.1, so shop hosts just work.
    """
    connection = connections["default"]
    monkeypatch.setattr(connection, "close", lambda: None)
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
    # Playwright's sync API runs an event loop in this thread; the test's own reads are
    # still plain synchronous calls between browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    lock = threading.Lock()
    app = StaticFilesHandler(WSGIHandler())

    def serialised(environ, start_response):
        with lock:
            response = app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()  # request_finished, inside the lock

    httpd = WSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=True)
    httpd.set_app(serialised)

    def serve():
        connections["default"] = connection
        httpd.serve_forever(poll_interval=0.05)

    connection.inc_thread_sharing()
    thread = threading.Thread(target=serve, name="app-server", daemon=True)
    thread.start()
    try:
        yield AppServer(port=httpd.server_address[1], lock=lock, connection=connection)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        connection.dec_thread_sharing()


@contextmanager
def live_browser(monkeypatch) -> Iterator[tuple[object, AppServer]]:
    """(chromium, the app served inside the test's transaction), for a journey test.

    The test's connection is rebound once chromium runs (see AppServer.db), so reads in the
    test body between browser steps see the test's rows; take `server.db()` around them
    when a request may be in flight (a page polling with htmx).
    """
    with app_server(monkeypatch) as server, chromium() as browser:
        connections["default"] = server.connection
        yield browser, server
