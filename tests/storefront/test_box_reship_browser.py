"""A customer asks for a plan box's reship on a 390 × 844 phone in chromium, in both
languages: my plans → the monthly boxes → the box → one damaged item with a photo → waiting
for the shop → the shop approves → the new parcel's tracking. Nothing is wider than the phone."""
import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from pawpact.storefront.enums import FulfilmentStatus, ReshipStatus
from pawpact.storefront.models import Fulfilment, ReshipRequest
from pawpact.storefront.services.reships import reship_decide
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.test_box_reships import _dispatched_box

pytestmark = browser_marks
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WORDS = {  # language → (browser locale, link on my plans, submit, waiting, approved)
    "en": ("en-US", "Monthly boxes and reships", "Request a reship", "Waiting for the shop", "Approved: sent again"),
    "zh-hans": ("zh-CN", "套餐月盒与补发", "申请补发", "等待门店处理", "已同意：已补发"),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_box_reship_on_the_phone(shop, linked, shop_staff, monkeypatch, settings, tmp_path,
                                   django_capture_on_commit_callbacks, language):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    locale, link, submit, waiting, approved = WORDS[language]
    _api, box = _dispatched_box(shop, django_capture_on_commit_callbacks)
    with schema_context(shop.schema_name):
        snacks = box.lines.get(sku="S-0001")
    photo = tmp_path / "damage.png"
    Image.new("RGB", (60, 40), (200, 30, 30)).save(photo)
    connection.set_schema_to_public()
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host_of(shop).split(':')[0]}:{server.port}"
        context = browser.new_context(locale=locale, **PHONE)
        context.add_cookies([{"name": "django_language", "value": language, "url": f"{base}/"}])
        phone = context.new_page()
        phone.goto(f"{base}/accounts/login/?next=/my/plans/")
        phone.fill("input[name=login]", "box@alpha.test")
        phone.fill("input[name=password]", SHOP_PASSWORD)
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_url("**/my/plans/")
        phone.get_by_role("link", name=link).click()
        phone.wait_for_url("**/shop/boxes/")
        screenshot(phone, tmp_path, f"box-reship-{language}-390-01-boxes.png")
        phone.locator(f"a[href='/shop/boxes/{box.uuid}/']").first.click()
        phone.wait_for_url(f"**/shop/boxes/{box.uuid}/")
        phone.fill(f"#item-{snacks.pk}", "1")
        phone.locator("input[name=reason][value=damaged]").check()
        phone.fill("#id_note", "One bag arrived torn.")
        phone.set_input_files("#photos", str(photo))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, tmp_path, f"box-reship-{language}-390-02-form.png")
        phone.get_by_role("button", name=submit).click()
        phone.wait_for_url(f"**/shop/boxes/{box.uuid}/")
        assert waiting in phone.locator("#reship").inner_text()
        screenshot(phone, tmp_path, f"box-reship-{language}-390-03-waiting.png")
        with server.db(), schema_context(shop.schema_name):
            request = ReshipRequest.objects.get(fulfilment=box)
            assert [(i.line.sku, i.quantity) for i in request.items.all()] == [("S-0001", 1)]
            with django_capture_on_commit_callbacks(execute=False):
                reship_decide(request_uuid=request.uuid, approve=True, note="", actor=shop_staff)
            request.refresh_from_db()
            assert request.status == ReshipStatus.APPROVED
            Fulfilment.objects.filter(pk=request.reship_id).update(
                status=FulfilmentStatus.DISPATCHED, carrier="SF", tracking_number="SF0000123", dispatched_at=timezone.now())
        phone.reload()
        shown = phone.locator("#reship").inner_text()
        assert approved in shown and "SF SF0000123" in shown
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, tmp_path, f"box-reship-{language}-390-04-approved.png")
        context.close()
