"""The debit-agreement choice on the customer's signing page, looked at in chromium: the
rails offered on a 390 px phone, the QR code waiting on a 1366 px desktop, and the agreement
attached, in English and Chinese. Screenshots: the test's tmp dir and $PAWPACT_SCREENSHOT_DIR."""
import pytest
from django_tenants.utils import schema_context

from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.payments.gateways import fake_wechat, wechat_credentials  # noqa: F401
from tests.payments.test_wechat import _deliver
from tests.workspace.test_signing_agreements import DESKTOP, _signed

pytestmark = [*browser_marks, pytest.mark.django_db]
WORDS = {"en": ("WeChat Pay auto-debit", "is signed"), "zh-hans": ("微信支付委托代扣", "已签约")}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_agreement_choice_waiting_and_attached_pages(language, shop, owner_client, adopter, fake_wechat, tmp_path):
    with schema_context(shop.schema_name):
        wechat_credentials(shop, fake_wechat)
    contract, link, phone = _signed(shop, owner_client, adopter)
    url = f"http://{shop.get_primary_domain().domain}/sign/{link.token}/"
    offer, signed = WORDS[language]
    # Every page is produced before chromium starts: Django refuses database calls from
    # inside Playwright's event loop (tests/browser.py).
    choice = fetch(phone, url, HTTP_ACCEPT_LANGUAGE=language)
    started = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": "wechat"}, HTTP_USER_AGENT=DESKTOP)
    assert started.status_code == 302
    waiting = fetch(phone, url, HTTP_ACCEPT_LANGUAGE=language)
    presign_id = next(iter(fake_wechat.presigns))
    assert _deliver(shop, fake_wechat.customer_signs(presign_id)).status_code == 204
    done = fetch(phone, url, HTTP_ACCEPT_LANGUAGE=language)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale=language)
        page_open(page, url, choice)
        assert offer in page.content()
        screenshot(page, tmp_path, f"agreement-choice-390-{language}.png")
        desk = browser.new_page(viewport={"width": 1366, "height": 900}, locale=language)
        page_open(desk, url, waiting)
        assert desk.locator("img.h5-qr").is_visible()
        screenshot(desk, tmp_path, f"agreement-waiting-1366-{language}.png")
        attached = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale=language)
        page_open(attached, url, done)
        assert signed in attached.content()
        screenshot(attached, tmp_path, f"agreement-attached-390-{language}.png")
