"""What a first-time user tripped on: a confirmation shown once, a cancel that asks first,
no preview of a past move, customer wording in Chinese, slot choices that read as choices."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django.utils.translation import pgettext
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.enums import BookingStatus
from pawpact.care.models import Booking
from pawpact.care.services.bookings import booking_create
from pawpact.care.services.complaints import complaint_resolve
from pawpact.core.clock import FixedClock
from pawpact.workspace.enums import Role
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming
from tests.care.test_slots import MONDAY
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user


@pytest.fixture(autouse=True)
def _at_noon_saturday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(shop):
    with schema_context(shop.schema_name):
        service = grooming()
        li = groomer(service)
        customer, pet = customer_with_pet()
        user = User.objects.create_user(f"first{customer.pk}@{shop.slug}.test", "pw-long-enough-1")
        customer.user = user
        customer.save(update_fields=["user"])
        booking = booking_create(customer=customer, pet=pet, service=service, resource=li,
                                 starts_at=at(MONDAY, 10), clock=FixedClock(NOW))  # fmt: skip
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return {"client": client, "booking": booking, "customer": customer, "pet": pet, "service": service, "li": li}


def test_the_cancel_asks_first_and_its_confirmation_shows_once(shop, booked):
    client, booking = booked["client"], booked["booking"]
    page = client.get(f"/my/bookings/{booking.uuid}/").content.decode()
    assert re.search(rf'action="/my/bookings/{booking.uuid}/cancel/" data-confirm="Cancel this booking\?"', page)
    done = client.post(f"/my/bookings/{booking.uuid}/cancel/", follow=True).content.decode()
    assert done.count("Booking cancelled.") == 1
    with schema_context(shop.schema_name):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_customer_pages_in_chinese_address_the_customer(shop, booked):
    client, booking = booked["client"], booked["booking"]
    page = client.get("/my/bookings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "自费" in page and "顾客自付" not in page
    assert "周一" in page and "星期一" not in page
    detail = client.get(f"/my/bookings/{booking.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "自费" in detail
    with translation.override("zh-hans"):
        assert (pgettext("the customer reading", "You"), pgettext("the shop itself", "You")) == ("您", "本店")
        assert (translation.gettext("Members"), pgettext("how many", "Members")) == ("会员", "人数")


def test_a_resolved_complaint_asks_the_customer_and_labels_their_own_words(shop, booked):
    client = booked["client"]
    assert client.post("/my/complaints/", {"category": "service", "text": "The groomer was an hour late."}).status_code == 302
    with schema_context(shop.schema_name):
        complaint = booked["customer"].complaints.get()
        complaint_resolve(complaint=complaint, author=None, text="Sorry, next groom is free.", clock=FixedClock(NOW + timedelta(hours=1)))
    page = client.get(f"/my/complaints/{complaint.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已解决，待您确认" in page and "待顾客确认" not in page
    assert "· 您</time>" in page and "· 本店</time>" not in page


def test_a_move_into_the_past_is_refused_before_any_preview(shop, booked):
    staff = client_for(shop, staff_user(shop, Role.OWNER))
    booking = booked["booking"]
    past = {"day": (NOW - timedelta(days=2)).date().isoformat(), "at": "10:00", "resource": booked["li"].pk}
    response = staff.post(f"/manage/bookings/{booking.uuid}/reschedule/", past)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a time in the future." in page and "Confirm the move" not in page
    with schema_context(shop.schema_name):
        assert Booking.objects.get(pk=booking.pk).starts_at == at(MONDAY, 10)


def test_counter_slots_are_choices_and_short_calendar_blocks_keep_one_line(shop, booked):
    staff = client_for(shop, staff_user(shop, Role.OWNER))
    query = f"?customer={booked['customer'].uuid}&pet={booked['pet'].uuid}&service={booked['service'].uuid}&day={MONDAY.isoformat()}"
    page = staff.get(f"/manage/bookings/new/{query}").content.decode()
    assert '<div class="ws-choice" role="radiogroup"' in page and 'class="ws-rows"' not in page
    with schema_context(shop.schema_name):
        short = grooming(minutes=30)
        booking_create(customer=booked["customer"], pet=booked["pet"], service=short, resource=groomer(short, name="Groomer Wu"),
                       starts_at=at(MONDAY, 11), clock=FixedClock(NOW))  # fmt: skip
    calendar = staff.get(f"/manage/bookings/?day={MONDAY.isoformat()}").content.decode()
    assert calendar.count("cal-block booked short") == 1 and calendar.count("cal-block booked") == 2
