"""In chromium at 390 px: the partner portal's bookings, the complaint queue and the
services setup page fit the phone (status, clocks, the "Mark completed" button and the
days-off form on screen, nothing wider than the viewport); and screenshots of the pages
the trial's fixes changed, in both languages ($PAWPACT_SCREENSHOT_DIR)."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.services.complaints import complaint_file, complaint_reopen, complaint_resolve
from pawpact.care.services.pet_archive import health_record_add
from pawpact.partners.models import PartnerMember
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.care.factories import customer_with_pet, groomer, grooming
from tests.care.test_first_use_browser import LOCALES, SIZES, _page
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import booking as partner_booking
from tests.partners.factories import listed
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db]
PHONE_WIDTH = 390


def _fits(page, selector: str) -> None:
    """Every element matching `selector` lies inside the phone's width, and so does the page."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    boxes = [element.bounding_box() for element in page.locator(selector).all()]
    assert boxes, selector
    assert all(box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH for box in boxes), (selector, boxes)


def _portal_page(browser, server, user, language: str):
    context = browser.new_context(locale=LOCALES[language], **SIZES[PHONE_WIDTH])
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(user)
    url = server.url(settings.PAWPACT_BASE_DOMAIN, "/")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url},
                         {"name": "django_language", "value": language, "url": url}])  # fmt: skip
    return context.new_page()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_partner_portal_bookings_fit_a_phone(shop, monkeypatch, tmp_path, language):
    partner = listed(name="Jade Clinic")
    user = User.objects.create_user("lin@jade.test", SHOP_PASSWORD)
    PartnerMember.objects.create(partner=partner, user=user)
    partner_booking(shop, partner, completed=False)
    partner_booking(shop, partner, completed=False, with_entitlement=True)
    with live_browser(monkeypatch) as (browser, server):
        page = _portal_page(browser, server, user, language)
        page.goto(server.url(settings.PAWPACT_BASE_DOMAIN, "/partner/"))
        _fits(page, "[data-testid=partner-bookings] td")
        # Both visits are tomorrow: each row says when it can be marked completed, inside the screen.
        _fits(page, "[data-testid=partner-bookings] .help")
        assert page.locator("[data-testid=partner-bookings] .help").count() == 2
        assert page.locator("[data-testid=partner-bookings] button").count() == 0
        filter_button = page.locator("form[method=get] button[type=submit]")
        assert filter_button.is_visible()
        screenshot(page, tmp_path, f"retrial-portal-{language}-390.png")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_complaint_queue_and_the_services_setup_fit_a_phone(shop, monkeypatch, tmp_path, language):
    with schema_context(shop.schema_name):
        service = grooming()
        groomer(service, name="Groomer Li")
        customer, pet = customer_with_pet()
        complaint = complaint_file(customer=customer, category="service", text="The groomer cut the whiskers too short.")
        complaint_resolve(complaint=complaint, author=None, text="A free groom next time.")
        complaint_reopen(complaint=complaint, text="Nobody called me.")
        health_record_add(pet=pet, kind="vaccine", done_on=timezone.localdate() - timedelta(days=5), product="Feline triple")
        owner = staff_user(shop, Role.OWNER)
    with live_browser(monkeypatch) as (browser, server):
        base = server.url(f"{shop.slug}.localhost")
        page = _page(browser, shop, owner, server, language=language, width=PHONE_WIDTH)
        page.goto(f"{base}manage/complaints/")
        _fits(page, "[data-testid=complaints] td")
        assert page.locator("[data-testid=reopened]").is_visible()
        screenshot(page, tmp_path, f"retrial-complaints-{language}-390.png")
        page.goto(f"{base}manage/bookings/setup/")
        _fits(page, "[data-testid=resources] td, [data-testid=services] td")
        _fits(page, "[data-testid=resources] form input:not([type=hidden]), [data-testid=resources] form button")
        screenshot(page, tmp_path, f"retrial-setup-{language}-390.png")
        page.goto(f"{base}manage/pets/archive/{pet.uuid}/")
        _fits(page, "[data-testid=health-records] td")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.locator("form[data-confirm] button").first.click()
        page.wait_for_timeout(300)
        assert len(asked) == 1  # deleting asks first; dismissed, nothing is deleted
        screenshot(page, tmp_path, f"retrial-archive-{language}-390.png")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_customer_pages_the_trial_changed_fit_a_phone(shop, monkeypatch, tmp_path, language):
    from pawpact.care.services.adoptions import adoption_listing_create
    from tests.care.pet_factories import shop_pet

    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        customer.user = User.objects.create_user("retrial@alpha.test", SHOP_PASSWORD)
        customer.save(update_fields=["user"])
        snow = adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow"})
        adoption_listing_create(pet=shop_pet("Coco"), values={"headline": "Coco, a shy tabby"})
        type(snow).objects.filter(pk=snow.pk).update(status="adopted")
    partner = listed(name="Jing'an Vet")
    partner_booking(shop, partner, customer_uuid=customer.uuid)
    partner_booking(shop, partner, customer_uuid=customer.uuid, completed=False)
    rate = {"en": "Rate", "zh-hans": "提交评分"}[language]
    with live_browser(monkeypatch) as (browser, server):
        base = server.url(f"{shop.slug}.localhost")
        phone = _page(browser, shop, customer.user, server, language=language, width=PHONE_WIDTH)
        phone.goto(f"{base}my/partner-services/")
        assert phone.get_by_role("button", name=rate).is_visible()
        _fits(phone, "[data-testid=partner-contact], [data-testid=partner-cost]")
        screenshot(phone, tmp_path, f"retrial-partner-visits-{language}-390.png")
        phone.goto(f"{base}my/")
        assert phone.locator("header a.brand").inner_text() == shop.name
        phone.goto(f"{base}shop/")
        phone.locator("a.sf-zone[href='/adopt/']").click()
        phone.wait_for_url("**/adopt/")
        phone.goto(f"{base}adopt/{snow.uuid}/")
        assert phone.get_by_role("link", name="Coco, a shy tabby").is_visible()
        screenshot(phone, tmp_path, f"retrial-adopted-{language}-390.png")
