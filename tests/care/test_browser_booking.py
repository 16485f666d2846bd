"""In chromium, in both languages: a customer books a grooming on a 390 px phone (service →
pet → day → slot, seeing what pays); the clerk finds it in the day calendar at 1366 px, opens
it and checks the pet in once the appointment has started, collecting the price; the
customer files a complaint about it and the queue shows its clocks.

Screenshots: the test's tmp dir, and $PAWPACT_SCREENSHOT_DIR when set.
"""
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.enums import BookingStatus, PaymentStatus
from pawpact.care.models import Booking
from pawpact.care.services.complaints import complaint_file
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.care.factories import customer_with_pet, groomer, grooming
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db]

DESK = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WORDS = {  # language → (browser locale, texts the pages show)
    "en": ("en-US", ("Book a service", "Paid by", "Confirm booking", "Check in", "Completed", "23 h")),
    "zh-hans": ("zh-CN", ("预约服务", "费用来源", "确认预约", "到店核销", "已完成", "23 小时")),
}


def _session_cookie(shop, user, server) -> dict:
    client = Client(HTTP_HOST=f"{shop.slug}.localhost")
    with schema_context(shop.schema_name):
        client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url(f"{shop.slug}.localhost", "/")}


def _context(browser, shop, user, server, *, locale: str, size: dict):
    context = browser.new_context(locale=locale, bypass_csp=True, **size)
    context.add_cookies([_session_cookie(shop, user, server)])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_books_on_a_phone_and_the_clerk_checks_in_from_the_day_calendar(shop, monkeypatch, tmp_path, language):
    locale, texts = WORDS[language]
    with schema_context(shop.schema_name):
        service = grooming()
        groomer(service, name="Groomer Li")
        customer, pet = customer_with_pet()
        customer.user = User.objects.create_user(f"phone-{language}@alpha.test", "pw-long-enough-1")
        customer.save(update_fields=["user"])
        clerk = staff_user(shop, Role.CLERK, email=f"clerk-{language}@alpha.test")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with live_browser(monkeypatch) as (browser, server):
        base = server.url(f"{shop.slug}.localhost")
        phone = _context(browser, shop, customer.user, server, locale=locale, size=PHONE)
        phone.goto(f"{base}my/book/")
        assert texts[0] in phone.content()
        phone.get_by_text(service.name).first.click()
        phone.get_by_text(pet.name).first.click()
        phone.locator(f'a[href*="day={tomorrow:%Y-%m-%d}"]').click()
        phone.wait_for_selector("input[name=slot]", state="attached")
        assert texts[1] in phone.locator("[data-testid=what-pays]").inner_text()
        phone.locator(".care-slots label").first.click()
        screenshot(phone, tmp_path, f"care-{language}-390-01-book.png")
        phone.get_by_role("button", name=texts[2]).click()
        phone.wait_for_url("**/my/bookings/*/")
        screenshot(phone, tmp_path, f"care-{language}-390-02-booked.png")
        with server.db(), schema_context(shop.schema_name):
            booking = Booking.objects.get(customer=customer)
            assert (booking.status, booking.amount_due_minor, timezone.localtime(booking.starts_at).date()) == ("booked", 8_800, tomorrow)

        desk = _context(browser, shop, clerk, server, locale=locale, size=DESK)
        desk.goto(f"{base}manage/bookings/?day={tomorrow:%Y-%m-%d}")
        block = desk.locator("[data-testid=booking-block]")
        assert block.count() == 1 and pet.name in block.inner_text()
        screenshot(desk, tmp_path, f"care-{language}-1366-03-calendar.png")
        with time_machine.travel(booking.starts_at + timedelta(minutes=5), tick=True):
            block.click()
            desk.wait_for_url(f"**/manage/bookings/{booking.uuid}/")
            desk.locator("input[name=collected]").check()
            desk.get_by_role("button", name=texts[3], exact=True).click()
            desk.wait_for_selector(".ws-messages")
            assert texts[4] in desk.locator("[data-testid=booking-facts]").inner_text()
            screenshot(desk, tmp_path, f"care-{language}-1366-04-checked-in.png")
            with server.db(), schema_context(shop.schema_name):
                booking.refresh_from_db()
                assert (booking.status, booking.payment_status) == (BookingStatus.COMPLETED, PaymentStatus.PAID)
                complaint_file(customer=customer, category="service", text="The fur was cut far too short.", booking_uuid=booking.uuid)
            desk.goto(f"{base}manage/complaints/")
            assert texts[5] in desk.locator("[data-testid=complaints]").inner_text()
            screenshot(desk, tmp_path, f"care-{language}-1366-05-complaints.png")
            phone.goto(f"{base}my/complaints/")
            screenshot(phone, tmp_path, f"care-{language}-390-06-complaints.png")
            desk.set_viewport_size({"width": 390, "height": 844})
            desk.goto(f"{base}manage/bookings/?day={tomorrow:%Y-%m-%d}")
            screenshot(desk, tmp_path, f"care-{language}-390-07-calendar-on-a-phone.png")
