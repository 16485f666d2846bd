"""A WeChat plan waiting for its pre-debit notices, seen in a browser: the customer's signing
page (agreement signed) and done page at 390 px, My plans, the staff contract page (its
timeline with the pre-debit notice) and both lists at 390 and 1366 px, the staff signing page
and the console's Go live at 1366 px, in English and Chinese. Nothing overflows the phone's
width; the signing page's button reads Done; screenshots kept."""
from datetime import date

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.customers.services import customer_account_create, customer_create, pet_create
from pawpact.storefront.signing_views import SESSION_KEY
from tests.billing.signing.test_queued_activation import SIGNED_AT, _run, shop_wechat  # noqa: F401  (fixture)
from tests.browser import browser_marks, chromium, screenshot
from tests.loyalty.test_member_browser import serve
from tests.payments.gateways import fake_wechat  # noqa: F401  (fixture)
from tests.payments.test_wechat import _deliver
from tests.platform.test_golive import console, platform_admin  # noqa: F401  (fixtures)
from tests.workspace.conftest import client_for, owner_client  # noqa: F401  (fixture)
from tests.workspace.test_signing import _code, _link, _wizard

pytestmark = [*browser_marks, pytest.mark.django_db]


@pytest.fixture
def signed_on_phone(shop, owner_client, shop_wechat, time_machine):  # noqa: F811
    """A customer with a deposit due signs on their phone and signs WeChat Pay auto-debit."""
    time_machine.move_to(SIGNED_AT)
    with schema_context(shop.schema_name):
        customer = customer_create(name="Wei Xiaoming 魏小明", phone="13800138416", birth_date=date(1991, 3, 2))
        pet = pet_create(name="Xiaobai 小白", species="dog", breed="Shiba")
    contract = _wizard(owner_client, shop, customer, pet)
    link = _link(shop, contract)
    phone = client_for(shop)
    phone.post(f"/sign/{link.token}/", {"action": "send"})
    phone.post(f"/sign/{link.token}/", {"action": "sign", "code": _code(shop, link), "consent": "yes"})
    with schema_context(shop.schema_name):
        start = agreement_sign_begin(contract=Contract.objects.get(pk=contract.pk), rail="wechat")
    assert _deliver(shop, shop_wechat.customer_signs(start.url.rsplit("/", 1)[1])).status_code == 204
    with schema_context(shop.schema_name):
        session = phone.session
        session[SESSION_KEY] = [str(contract.uuid)]
        session.save()
        user = customer_account_create(customer=customer, email="wei@example.com", password="a-long-pass-123")
    return contract, link, phone, client_for(shop, user)


def _fetched(client, path, language, width, name):
    """The page through the whole Django stack, fetched before chromium runs (its event loop
    forbids database calls)."""
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return f"http://{client.defaults['HTTP_HOST']}{path}", response, width, name


def _shot(browser, fetched, language, tmp_path):
    url, response, width, name = fetched
    page = browser.new_page(viewport={"width": width, "height": 900}, locale=language)
    serve(page, url, response)
    screenshot(page, tmp_path, f"{name}-{language}-{width}.png")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
        > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 60))""")
    assert overflow <= 0, (name, overflow, wide)
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_waiting_plan_on_every_page(shop, signed_on_phone, owner_client, language, tmp_path):  # noqa: F811
    contract, link, phone, customer = signed_on_phone
    _run(shop, SIGNED_AT)  # the job's run sends the deposit's notice: on the timeline and in the messages
    both = ((customer, "/my/plans/", "wx-my-plans"), (owner_client, "/manage/signings/", "signings"),
            (owner_client, f"/manage/contracts/{contract.uuid}/", "staff-contract"),
            (owner_client, "/manage/contracts/", "contracts"))  # fmt: skip
    pages = [
        _fetched(phone, f"/sign/{link.token}/", language, 390, "wx-signing-attached"),
        _fetched(phone, f"/sign/done/{contract.uuid}/", language, 390, "wx-done"),
        _fetched(owner_client, f"/manage/signings/{contract.uuid}/", language, 1366, "staff-signing"),
        *(_fetched(client, path, language, width, name) for client, path, name in both for width in (390, 1366)),
    ]  # fmt: skip
    with chromium() as browser:
        signing = _shot(browser, pages[0], language, tmp_path)
        assert signing.inner_text("#agreement button").strip() == ("Done" if language == "en" else "完成")
        for fetched in pages[1:]:
            _shot(browser, fetched, language, tmp_path)


def test_go_live_disabled_with_its_reason_in_a_browser(console, shop, tmp_path):  # noqa: F811
    url = f"http://{settings.PAWPACT_BASE_DOMAIN}/console/shops/{shop.pk}/money/"
    responses = {
        language: console.get(f"/console/shops/{shop.pk}/money/", HTTP_HOST=settings.PAWPACT_BASE_DOMAIN,
                              HTTP_ACCEPT_LANGUAGE=language)
        for language in ("en", "zh-hans")
    }  # fmt: skip
    with chromium() as browser:
        for language, response in responses.items():
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            serve(page, url, response)
            assert page.is_disabled("#reason-live") and page.is_disabled("button[aria-describedby=go-live-help]")
            screenshot(page, tmp_path, f"console-go-live-{language}-1366.png")
