"""The whole journey in chromium, in both languages: an owner signs up, creates a plan in
yuan and starts a signing at desktop width; the customer, on a 390×844 phone, opens the
link, enters the SMS code, signs, pays with a sandbox card; the owner sees the contract in
force with its first debit paid; the customer cancels in the cooling-off period and gets
everything back.

The app is served over HTTP inside this test's transaction (tests/browser.py, app_server),
so the new shop and everything in it is rolled back afterwards. Screenshots: the test's
tmp dir, and $PAWPACT_SCREENSHOT_DIR when set (CI keeps them).
"""
import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.billing.selectors import ledger_check
from pawpact.messaging.models import Message
from pawpact.tenants.models import Shop
from tests.browser import browser_marks, live_browser, screenshot

pytestmark = [*browser_marks, pytest.mark.django_db]

DESK = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WORDS = {  # language → (browser locale, plan name, customer name, pet, texts the pages must show)
    "en": ("en-US", "Kitten starter", "Wang Fang", "Mimi", ("Plans", "Period 1 debited: ¥199.50", "Cancel my plan for free")),
    "zh-hans": ("zh-CN", "猫咪尝鲜款", "王芳", "咪咪", ("套餐", "第 1 期已扣款：¥199.50", "免费取消我的套餐")),
}


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def owner_signs_up(page, server, *, slug: str, language: str) -> None:
    page.goto(server.url("localhost", "/signup/"))
    page.fill("#id_shop_name", "Journey Pets" if language == "en" else "旅程宠物馆")
    page.fill("#id_slug", slug)
    page.fill("#id_owner_name", "Zhao Lei")
    page.fill("#id_email", f"owner@{slug}.test")
    page.fill("#id_phone", "13900139000")
    page.fill("#id_password1", "a-long-pass-123")
    page.fill("#id_password2", "a-long-pass-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"http://{slug}.localhost:{server.port}/manage/")


def owner_creates_a_plan(page, base: str, *, name: str) -> None:
    page.goto(f"{base}/manage/plans/new/")
    for field, value in (("name", name), ("monthly_price_minor", "199.50"), ("periods", "12"), ("debit_day", "10"),
                         ("deposit_minor", "300"), ("penalty_rate", "8"), ("cooling_off_days", "7"),
                         ("scope_of_use", "猫粮、猫砂和驱虫 / food, litter and deworming")):  # fmt: skip
        page.fill(f"#id_{field}", value)
    page.fill("#id_entitlements-0-item", "猫粮")
    page.fill("#id_entitlements-0-quantity", "2")
    page.fill("#id_entitlements-0-unit", "kg")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/manage/plans/\d+/$"))


def owner_starts_a_signing(page, base: str, *, plan: str, customer: str, pet: str) -> str:
    """Customer → pet → plan → credit check → link; the link the customer's phone opens."""
    page.goto(f"{base}/manage/signings/new/")
    page.fill("#id_name", customer)
    page.fill("#id_phone", "13800138999")  # the sandbox scores numbers ending 999 at 950: no deposit
    page.fill("#id_birth_date", "1990-05-01")
    page.check("#id_id_checked")
    page.locator("form.ws-form button[type=submit]").click()
    page.fill("#id_name", pet)
    page.locator("form.ws-form button[type=submit]").click()
    page.locator(".ws-card", has_text=plan).locator("input[name=plan_version]").check()
    page.locator("main form button[type=submit]").last.click()
    page.locator("label:has(input[name='consent'])").click()  # the applicant agrees, beside the clerk
    page.locator("form:has(input[value=check]) button[type=submit]").click()
    page.locator("form[action$='/link/'] button").click()
    return page.locator("#signing-url").inner_text().strip()


def sms_code(server, schema: str) -> str:
    with server.db(), schema_context(schema):
        body = Message.objects.filter(topic="signing_code", channel="sms").latest("id").body
    return re.search(r"\d{6}", body).group(0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_owner_signs_up_and_the_customer_signs_pays_and_cancels_on_their_phone(monkeypatch, tmp_path, language):
    locale, plan, customer, pet, texts = WORDS[language]
    slug = f"journey-{language[:2]}"
    with live_browser(monkeypatch) as (browser, server):
        # bypass_csp: the test itself waits on string expressions, which a page's CSP forbids.
        owner = accept_dialogs(browser.new_context(viewport=DESK, locale=locale, bypass_csp=True).new_page())
        owner_signs_up(owner, server, slug=slug, language=language)
        base = f"http://{slug}.localhost:{server.port}"
        with server.db():
            connection.set_schema_to_public()
            schema = Shop.objects.get(slug=slug).schema_name
        owner.wait_for_selector("[data-echarts] svg")
        assert texts[0] in owner.locator(".ws-menu").inner_text()
        screenshot(owner, tmp_path, f"journey-{language}-1280-01-overview.png")

        owner_creates_a_plan(owner, base, name=plan)
        assert "¥199.50" in owner.content() and "¥2,394.00" in owner.content()
        screenshot(owner, tmp_path, f"journey-{language}-1280-02-plan.png")
        url = owner_starts_a_signing(owner, base, plan=plan, customer=customer, pet=pet)
        assert re.fullmatch(rf"{base}/sign/[\w-]+/", url)
        screenshot(owner, tmp_path, f"journey-{language}-1280-03-signing-link.png")

        phone = accept_dialogs(browser.new_context(locale=locale, bypass_csp=True, **PHONE).new_page())
        phone.goto(url)
        screenshot(phone, tmp_path, f"journey-{language}-390-04-agreement.png")
        # The applicant agreed to the credit check at the counter: the phone shows it, asks no more.
        assert phone.locator("input[name=consent]").count() == 0 and phone.locator("p.help").count() >= 1
        phone.locator("button[value=send]").click()
        phone.wait_for_selector("#code")
        phone.fill("#code", sms_code(server, schema))
        phone.locator("button[value=sign]").click()
        phone.wait_for_selector("input[value=pay]", state="attached")
        screenshot(phone, tmp_path, f"journey-{language}-390-05-pay.png")
        phone.locator("input[value=pay] ~ button").click()
        phone.wait_for_url("**/sign/done/**")
        screenshot(phone, tmp_path, f"journey-{language}-390-06-done.png")

        owner.wait_for_function("document.querySelectorAll('#signing-steps li.done').length === 6", timeout=15_000)
        with server.db(), schema_context(schema):
            contract = Contract.objects.get(customer__phone="13800138999")
            assert contract.status == ContractStatus.ACTIVE and contract.monthly_amount_minor == 19_950
            assert DebitPeriod.objects.get(contract=contract, number=1).status == PeriodStatus.PAID
        owner.goto(f"{base}/manage/contracts/{contract.uuid}/")
        assert texts[1] in owner.content()
        screenshot(owner, tmp_path, f"journey-{language}-1280-07-contract.png")

        phone.fill("#id_email", f"wang@{slug}.test")
        phone.fill("#id_password", "another-long-pass-1")
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_url("**/my/plans/")
        screenshot(phone, tmp_path, f"journey-{language}-390-08-my-plans.png")
        phone.locator(f"a[href='/my/plans/{contract.uuid}/end/']").click()
        assert texts[2] in phone.content()
        screenshot(phone, tmp_path, f"journey-{language}-390-09-cooling-off.png")
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_url("**/my/plans/")

        with server.db(), schema_context(schema):
            contract.refresh_from_db()
            assert contract.status == ContractStatus.CANCELLED_COOLING_OFF
            assert (contract.termination.refund_minor, contract.termination.penalty_minor) == (19_950, 0)
            assert ledger_check().is_ok
        owner.goto(f"{base}/manage/contracts/{contract.uuid}/")
        screenshot(owner, tmp_path, f"journey-{language}-1280-10-cancelled.png")
        owner.set_viewport_size(PHONE["viewport"])
        owner.goto(f"{base}/manage/")
        assert owner.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(owner, tmp_path, f"journey-{language}-390-11-overview-on-a-phone.png")
