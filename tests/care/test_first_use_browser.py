"""In chromium under the site's real Content-Security-Policy (no bypass): the booking cancel
asks first, "Use my location" fills the coordinates and searches, the selected day of the
booking strip is in view at 390 px; and screenshots of the pages changed for a first-time
user at 1366 and 390 px in both languages (the test's tmp dir, $PAWPACT_SCREENSHOT_DIR).
"""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.enums import BookingStatus
from pawpact.care.models import Booking
from pawpact.care.services.bookings import booking_create
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.care.factories import customer_with_pet, groomer, grooming
from tests.partners.factories import booking as partner_booking
from tests.partners.factories import listed
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db]

SIZES = {1366: {"viewport": {"width": 1366, "height": 900}},
         390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}  # fmt: skip
LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}


def _page(browser, shop, user, server, *, language: str, width: int, **extra):
    context = browser.new_context(locale=LOCALES[language], **SIZES[width], **extra)  # the CSP applies
    client = Client(HTTP_HOST=f"{shop.slug}.localhost")
    with schema_context(shop.schema_name):
        client.force_login(user)
    url = server.url(f"{shop.slug}.localhost", "/")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url},
                         {"name": "django_language", "value": language, "url": url}])  # fmt: skip
    return context.new_page()


def _scene(shop):
    with schema_context(shop.schema_name):
        service = grooming()
        li = groomer(service, name="Groomer Li")
        customer, pet = customer_with_pet()
        customer.user = User.objects.create_user("first-use@alpha.test", "pw-long-enough-1")
        customer.save(update_fields=["user"])
        starts = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=3)
        booked = booking_create(customer=customer, pet=pet, service=service, resource=li, starts_at=starts)
        owner = staff_user(shop, Role.OWNER)
    return customer, booked, owner


def test_confirmations_and_geolocation_work_under_the_csp(shop, monkeypatch, tmp_path):
    customer, booked, _owner = _scene(shop)
    listed(name="Harbour Animal Hospital", latitude=31.2310, longitude=121.4740)
    with live_browser(monkeypatch) as (browser, server):
        base = server.url(f"{shop.slug}.localhost")
        phone = _page(browser, shop, customer.user, server, language="en", width=390,
                      permissions=["geolocation"], geolocation={"latitude": 31.2304, "longitude": 121.4737})  # fmt: skip
        errors = []
        phone.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None)
        asked = []
        phone.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        phone.goto(f"{base}my/bookings/{booked.uuid}/")
        phone.locator("form[data-confirm] button").click()
        phone.wait_for_timeout(300)
        assert asked == ["Cancel this booking?"]
        with server.db(), schema_context(shop.schema_name):
            assert Booking.objects.get(pk=booked.pk).status == BookingStatus.BOOKED
        phone.once("dialog", lambda dialog: dialog.accept())
        phone.locator("form[data-confirm] button").click()
        phone.wait_for_url("**/my/bookings/")
        with server.db(), schema_context(shop.schema_name):
            assert Booking.objects.get(pk=booked.pk).status == BookingStatus.CANCELLED
        screenshot(phone, tmp_path, "first-use-en-390-cancelled.png")

        phone.goto(f"{base}emergency/")
        assert not phone.locator("#locate-error").is_visible()
        phone.get_by_role("button", name="Use my location").click()
        phone.wait_for_url("**/emergency/?lat=31.230400&lng=121.473700")
        assert "Harbour Animal Hospital" in phone.content() and "73 m" in phone.content()
        screenshot(phone, tmp_path, "first-use-en-390-emergency-located.png")

        phone.goto(f"{base}my/book/?service={booked.service.uuid}&pet={booked.pet.uuid}&day={(timezone.localdate() + timedelta(days=12)):%Y-%m-%d}")
        strip = phone.locator(".care-days")
        chosen = phone.locator(".care-days a[aria-current]").bounding_box()
        box = strip.bounding_box()
        assert box["x"] <= chosen["x"] and chosen["x"] + chosen["width"] <= box["x"] + box["width"]
        assert errors == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_screenshots_of_the_changed_pages(shop, monkeypatch, tmp_path, language):
    customer, booked, owner = _scene(shop)
    partner = listed(name="Harbour Animal Hospital", latitude=31.2310, longitude=121.4740)
    partner_booking(shop, partner, customer_uuid=customer.uuid, completed=False)
    partner_booking(shop, partner, customer_uuid=customer.uuid)
    with schema_context(shop.schema_name):
        pet = booked.pet
        pet.birthday, pet.adoption_date = timezone.localdate() - timedelta(days=400), timezone.localdate() - timedelta(days=20)
        pet.save()
    day = timezone.localtime(booked.starts_at).date()
    pages = [("adoptions", "manage/pets/adoptions/"), ("pet-archive", f"manage/pets/archive/{pet.uuid}/"),
             ("partner-bookings", "manage/partners/"), ("calendar", f"manage/bookings/?day={day:%Y-%m-%d}"),
             ("counter-slots", f"manage/bookings/new/?customer={customer.uuid}&pet={pet.uuid}&service={booked.service.uuid}&day={day:%Y-%m-%d}")]  # fmt: skip
    with live_browser(monkeypatch) as (browser, server):
        base = server.url(f"{shop.slug}.localhost")
        for width in (1366, 390):
            desk = _page(browser, shop, owner, server, language=language, width=width)
            for name, path in pages:
                desk.goto(f"{base}{path}")
                screenshot(desk, tmp_path, f"first-use-{language}-{width}-{name}.png")
            assert desk.locator("input[name=birthday]").count() == 0  # the last page is not the archive
            desk.goto(f"{base}manage/pets/archive/{pet.uuid}/")
            assert desk.locator("input[name=birthday]").input_value() == f"{pet.birthday:%Y-%m-%d}"
            phone = _page(browser, shop, customer.user, server, language=language, width=width)
            for name, path in [("my-booking", f"my/bookings/{booked.uuid}/"), ("emergency", "emergency/?lat=31.2304&lng=121.4737"),
                               ("my-book", f"my/book/?service={booked.service.uuid}&pet={pet.uuid}&day={day:%Y-%m-%d}")]:  # fmt: skip
                phone.goto(f"{base}{path}")
                screenshot(phone, tmp_path, f"first-use-{language}-{width}-{name}.png")
