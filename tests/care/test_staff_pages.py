"""Staff booking and complaint pages: the day calendar's content, booking at the counter,
check-in, no-show, cancel and reschedule with a confirmation, the services editor by role,
the complaint queue's clocks and breaches, exports, and another shop's host seeing nothing."""
import re
from datetime import timedelta

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.billing.models import Journal as LedgerJournal
from pawpact.care.enums import BookingStatus, ComplaintStatus, PaymentStatus
from pawpact.care.models import Booking, Complaint, ComplaintBreach, ServiceType
from pawpact.care.services.bookings import booking_create
from pawpact.care.services.complaints import complaint_breaches_record, complaint_file
from pawpact.core.clock import FixedClock
from pawpact.workspace.enums import Role
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming
from tests.care.test_slots import MONDAY
from tests.workspace.conftest import client_for, staff_user


@pytest.fixture
def setup(shop):
    """Two groomers, a 60-minute grooming at ¥88, a customer with a cat, Monday 10:00 booked with Groomer Li."""
    with schema_context(shop.schema_name):
        service = grooming()
        li, zhao = groomer(service, name="Groomer Li"), groomer(service, name="Groomer Zhao")
        customer, pet = customer_with_pet()
        booking = booking_create(customer=customer, pet=pet, service=service, resource=li, starts_at=at(MONDAY, 10), clock=FixedClock(NOW))
        return {"service": service, "li": li, "zhao": zhao, "customer": customer, "pet": pet, "booking": booking}


@pytest.fixture
def clerk(shop):
    return client_for(shop, staff_user(shop, Role.CLERK))


@pytest.fixture(autouse=True)
def _at_noon_saturday():
    with time_machine.travel(NOW, tick=False):
        yield


def test_day_calendar_has_a_column_per_resource_and_a_block_per_booking(shop, setup, clerk):
    with schema_context(shop.schema_name):
        cancelled = booking_create(customer=setup["customer"], pet=setup["pet"], service=setup["service"], resource=setup["zhao"],
                                   starts_at=at(MONDAY, 14), clock=FixedClock(NOW))  # fmt: skip
        cancelled.status = BookingStatus.CANCELLED
        cancelled.save(update_fields=["status"])
    page = clerk.get("/manage/bookings/?day=2026-03-09")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.findall(r'class="cal-head" style="grid-column: (\d+);">([^<]+)<', html) == [("2", "Groomer Li"), ("3", "Groomer Zhao")]
    blocks = re.findall(r'data-testid="booking-block" style="grid-column: (\d+); grid-row: (\d+) / (\d+);"', html)
    # Rows start at 09:00 (row 2), half an hour each: 10:00–11:00 is rows 4 to 6, in Groomer Li's column; the cancelled one is not shown.
    assert blocks == [("2", "4", "6")]
    assert "10:00–11:00 Full groom" in html and setup["pet"].name in html
    assert 'href="?day=2026-03-08"' in html and 'href="?day=2026-03-10"' in html
    assert clerk.get("/manage/bookings/").status_code == 200  # today, without ?day=


def test_clerk_books_at_the_counter_sees_what_pays_then_checks_in_collecting_once(shop, setup, clerk):
    customer, pet, service = setup["customer"], setup["pet"], setup["service"]
    query = f"?customer={customer.uuid}&pet={pet.uuid}&service={service.uuid}&day=2026-03-09"
    page = clerk.get("/manage/bookings/new/" + query)
    assert page.status_code == 200
    assert re.search(r'data-testid="what-pays">Paid by: <strong>Paid by the customer</strong> · To pay: <strong>¥88.00', page.content.decode())
    start = at(MONDAY, 15).isoformat()
    response = clerk.post("/manage/bookings/new/" + query, {"slot": f"{setup['zhao'].pk}|{start}"})
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        booking = Booking.objects.get(resource=setup["zhao"])
        assert (booking.status, booking.amount_due_minor, booking.payment_status, booking.benefit_source) == ("booked", 8_800, "due", "paid")
    with time_machine.travel(at(MONDAY, 15, 5), tick=False):
        refused = clerk.post(f"/manage/bookings/{booking.uuid}/check_in/")
        assert refused.status_code == 400
        with schema_context(shop.schema_name):
            assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
            assert not LedgerJournal.objects.filter(idempotency_key=f"care.booking.paid:{booking.uuid}").exists()
        assert clerk.post(f"/manage/bookings/{booking.uuid}/check_in/", {"collected": "on"}).status_code == 302
        again = clerk.post(f"/manage/bookings/{booking.uuid}/check_in/", {"collected": "on"})
        assert again.status_code == 409
    with schema_context(shop.schema_name):
        booking.refresh_from_db()
        assert (booking.status, booking.payment_status) == (BookingStatus.COMPLETED, PaymentStatus.PAID)
        assert LedgerJournal.objects.filter(idempotency_key=f"care.booking.paid:{booking.uuid}").count() == 1


def test_counter_refuses_past_outside_hours_taken_and_foreign_pet_writing_nothing(shop, setup, clerk):
    customer, service, li = setup["customer"], setup["service"], setup["li"]
    with schema_context(shop.schema_name):
        _stranger, strangers_pet = customer_with_pet()
        before = Booking.objects.count()
    query = f"?customer={customer.uuid}&pet={setup['pet'].uuid}&service={service.uuid}&day=2026-03-09"
    cases = [
        (at(MONDAY - timedelta(days=3), 10), 400, "That time has passed."),
        (at(MONDAY, 12, 30), 400, "does not work at that time"),
        (at(MONDAY, 10, 30), 409, "That time was just taken."),
    ]
    for starts_at, status, text in cases:
        response = clerk.post("/manage/bookings/new/" + query, {"slot": f"{li.pk}|{starts_at.isoformat()}"})
        assert response.status_code == status, text
        assert text in response.content.decode()
    assert clerk.get("/manage/bookings/new/?customer=nope&pet=nope&service=nope").status_code == 200
    foreign = f"?customer={customer.uuid}&pet={strangers_pet.uuid}&service={service.uuid}&day=2026-03-09"
    response = clerk.post("/manage/bookings/new/" + foreign, {"slot": f"{li.pk}|{at(MONDAY, 15).isoformat()}"})
    assert response.status_code == 400
    with schema_context(shop.schema_name):
        assert Booking.objects.count() == before


def test_reschedule_asks_first_then_moves_and_cancel_frees_the_slot(shop, setup, clerk):
    booking, zhao = setup["booking"], setup["zhao"]
    form = {"day": "2026-03-10", "at": "16:00", "resource": zhao.pk}
    first = clerk.post(f"/manage/bookings/{booking.uuid}/reschedule/", form)
    assert first.status_code == 200
    assert 'data-testid="reschedule-confirm"' in first.content.decode()
    assert "to 2026-03-10 16:00 with Groomer Zhao?" in first.content.decode()
    with schema_context(shop.schema_name):
        booking.refresh_from_db()
        assert (booking.starts_at, booking.resource_id) == (at(MONDAY, 10), setup["li"].pk)
    assert clerk.post(f"/manage/bookings/{booking.uuid}/reschedule/", {**form, "confirm": "yes"}).status_code == 302
    with schema_context(shop.schema_name):
        booking.refresh_from_db()
        assert (booking.starts_at, booking.resource_id, booking.status) == (at(MONDAY + timedelta(days=1), 16), zhao.pk, "booked")
    assert clerk.post(f"/manage/bookings/{booking.uuid}/cancel/").status_code == 302
    with schema_context(shop.schema_name):
        booking.refresh_from_db()
        assert (booking.status, booking.amount_due_minor) == (BookingStatus.CANCELLED, 0)
    # A no-show needs the appointment to have started; a cancelled one cannot be one.
    assert clerk.post(f"/manage/bookings/{booking.uuid}/no_show/").status_code == 409


def test_services_and_resources_are_edited_by_managers_in_yuan_and_only_read_by_clerks(shop, setup, clerk):
    manager = client_for(shop, staff_user(shop, Role.MANAGER))
    body = {"name": "Bath", "kind": "grooming", "duration_minutes": "45", "price": "58.50", "is_active": "on"}
    assert clerk.get("/manage/bookings/setup/").status_code == 200
    assert clerk.post("/manage/bookings/setup/services/new/", body).status_code == 403
    assert manager.post("/manage/bookings/setup/services/new/", {**body, "price": "-1"}).status_code == 400
    with schema_context(shop.schema_name):
        assert not ServiceType.objects.filter(name="Bath").exists()
    assert manager.post("/manage/bookings/setup/services/new/", body).status_code == 302
    with schema_context(shop.schema_name):
        bath = ServiceType.objects.get(name="Bath")
        assert (bath.price_minor, bath.duration_minutes) == (5_850, 45)
    hours = {"name": "Groomer Li", "services": [setup["service"].pk, bath.pk], "is_active": "on", "hours_0": "10:00-12:00, 13:00-19:00"}
    assert manager.post(f"/manage/bookings/setup/resources/{setup['li'].pk}/", {**hours, "hours_1": "9-12"}).status_code == 400
    assert manager.post(f"/manage/bookings/setup/resources/{setup['li'].pk}/", hours).status_code == 302
    with schema_context(shop.schema_name):
        rows = list(setup["li"].hours.order_by("weekday", "opens").values_list("weekday", "opens", "closes"))
        assert [(d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in rows] == [(0, "10:00", "12:00"), (0, "13:00", "19:00")]
        assert set(setup["li"].services.values_list("name", flat=True)) == {"Full groom", "Bath"}
    # A day off on a day with a live booking is refused until it is moved.
    response = manager.post(f"/manage/bookings/setup/resources/{setup['li'].pk}/days-off/", {"day": "2026-03-09"})
    assert response.status_code == 400
    with schema_context(shop.schema_name):
        assert not setup["li"].days_off.exists()


def test_bookings_list_filters_and_exports(shop, setup, clerk):
    page = clerk.get(f"/manage/bookings/list/?resource={setup['li'].pk}&status=booked")
    assert page.status_code == 200 and setup["pet"].name in page.content.decode()
    assert setup["pet"].name not in clerk.get(f"/manage/bookings/list/?resource={setup['zhao'].pk}").content.decode()
    csv = b"".join(clerk.get(f"/manage/bookings/list/?resource={setup['li'].pk}&export=csv").streaming_content).decode()
    lines = csv.strip().splitlines()
    assert len(lines) == 2
    assert "2026-03-09 10:00:00,2026-03-09 11:00:00,Full groom,Groomer Li" in lines[1] and "88.00" in lines[1]
    xlsx = clerk.get("/manage/bookings/list/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_complaint_queue_shows_the_clocks_lists_breaches_for_the_owner_and_staff_respond_and_resolve(shop, setup, clerk):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    with schema_context(shop.schema_name):
        complaint = complaint_file(customer=setup["customer"], category="service", text="The groomer cut the whiskers.",
                                   booking_uuid=setup["booking"].uuid, clock=FixedClock(NOW))  # fmt: skip
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        html = clerk.get("/manage/complaints/").content.decode()
        assert "23 h 0 min left" in html and "47 h 0 min left" in html
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        with schema_context(shop.schema_name):
            assert len(complaint_breaches_record()) == 1
        html = owner.get("/manage/complaints/").content.decode()
        assert "overdue by 1 h 0 min" in html and "23 h 0 min left" in html
        assert 'data-testid="breaches"' in html and "First response (24 h)" in html
        assert 'data-testid="breaches"' not in clerk.get("/manage/complaints/").content.decode()
        assert clerk.post(f"/manage/complaints/{complaint.uuid}/respond/", {"text": " "}).status_code == 400
        with schema_context(shop.schema_name):
            assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.OPEN
        assert clerk.post(f"/manage/complaints/{complaint.uuid}/respond/", {"text": "We are sorry; a free groom is on us."}).status_code == 302
        assert clerk.post(f"/manage/complaints/{complaint.uuid}/resolve/", {"text": "Free groom booked."}).status_code == 302
        assert clerk.post(f"/manage/complaints/{complaint.uuid}/resolve/", {"text": "Again."}).status_code == 409
    with schema_context(shop.schema_name):
        complaint.refresh_from_db()
        assert complaint.status == ComplaintStatus.RESOLVED
        assert complaint.responded_at == NOW + timedelta(hours=25)
        assert list(complaint.entries.values_list("by_staff", flat=True)) == [False, True, True]
        assert ComplaintBreach.objects.filter(complaint=complaint).count() == 1
    csv = b"".join(clerk.get("/manage/complaints/?status=all&export=csv").streaming_content).decode()
    assert len(csv.strip().splitlines()) == 2 and "Resolved, awaiting the customer" in csv


def test_another_shops_host_and_staff_see_and_touch_nothing(shop, other_shop, setup):
    with schema_context(shop.schema_name):
        complaint = complaint_file(customer=setup["customer"], category="other", text="Something went wrong here.", clock=FixedClock(NOW))
    stranger = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    booking = setup["booking"]
    assert stranger.get(f"/manage/bookings/{booking.uuid}/").status_code == 404
    assert stranger.post(f"/manage/bookings/{booking.uuid}/cancel/").status_code == 404
    assert stranger.post(f"/manage/complaints/{complaint.uuid}/respond/", {"text": "Hello"}).status_code == 404
    calendar = stranger.get("/manage/bookings/?day=2026-03-09").content.decode()
    assert "Groomer Li" not in calendar and setup["pet"].name not in calendar
    assert setup["customer"].name not in stranger.get("/manage/complaints/?status=all").content.decode()
    with schema_context(shop.schema_name):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.BOOKED
        assert Complaint.objects.get(pk=complaint.pk).entries.count() == 1
    # A customer of the shop (not staff) gets no staff page.
    assert client_for(shop).get("/manage/bookings/").status_code == 302
