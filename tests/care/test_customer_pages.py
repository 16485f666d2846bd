"""The customer's booking and complaint pages: book in steps seeing what pays, move and
cancel under the 2-hour rule, file a complaint linking only their own records, confirm
or reopen; another customer's rows and another shop's host answer 404 and change nothing."""
import re
from datetime import UTC, timedelta

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.enums import BenefitSource, BookingStatus, ComplaintStatus
from pawpact.care.models import Booking, Complaint
from pawpact.care.services.bookings import booking_create
from pawpact.care.services.complaints import complaint_resolve
from pawpact.core.clock import FixedClock
from tests.care.factories import NOW, at, contract_with_grooming, customer_with_pet, groomer, grooming
from tests.care.test_slots import MONDAY
from tests.conftest import host_of


def _login(shop, customer) -> Client:
    with schema_context(shop.schema_name):
        user = User.objects.create_user(f"c{customer.pk}@{shop.slug}.test", "pw-long-enough-1")
        customer.user = user
        customer.save(update_fields=["user"])
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _at_noon_saturday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def care(shop):
    """A grooming at ¥88 by Groomer Li; a plan customer (one grooming a period) and a walk-in customer."""
    with schema_context(shop.schema_name):
        service = grooming()
        li = groomer(service)
        contract = contract_with_grooming(quantity=1)
        walk_in, walk_in_pet = customer_with_pet()
    return {"service": service, "li": li, "contract": contract, "member": _login(shop, contract.customer),
            "walk_in": walk_in, "walk_in_pet": walk_in_pet, "walk_in_client": _login(shop, walk_in)}  # fmt: skip


def test_customer_books_in_steps_and_the_plan_entitlement_pays(shop, care):
    client, contract, service = care["member"], care["contract"], care["service"]
    assert service.name in client.get("/my/book/").content.decode()
    assert contract.pet.name in client.get(f"/my/book/?service={service.uuid}").content.decode()
    query = f"?service={service.uuid}&pet={contract.pet.uuid}&day=2026-03-09"
    page = client.get("/my/book/" + query).content.decode()
    assert re.search(r'data-testid="what-pays">Paid by: <strong>Plan entitlement</strong><br>To pay at the shop: <strong>¥0.00', page)
    slots = re.findall(r'name="slot" value="([^"]+)"', page)
    assert len(slots) == 14  # 09:00–11:00 and 13:00–17:00, every half hour, for a 60-minute groom
    response = client.post("/my/book/" + query, {"slot": slots[0], "pet": str(contract.pet.uuid)})
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        booking = Booking.objects.get(customer=contract.customer)
        assert (booking.starts_at, booking.benefit_source, booking.amount_due_minor) == (at(MONDAY, 9), BenefitSource.PLAN_ENTITLEMENT, 0)
    mine = client.get("/my/bookings/").content.decode()
    assert "Full groom" in mine and "Plan entitlement" in mine
    # The same slot again: taken (409), and the 09:00 slot no longer offered.
    again = client.post("/my/book/" + query, {"slot": slots[0], "pet": str(contract.pet.uuid)})
    assert again.status_code == 409 and "That time was just taken." in again.content.decode()
    assert slots[0] not in client.get("/my/book/" + query).content.decode()


def test_bad_bookings_are_refused_and_write_nothing(shop, care):
    client, contract, li = care["member"], care["contract"], care["li"]
    query = f"?service={care['service'].uuid}&pet={contract.pet.uuid}&day=2026-03-09"
    cases = [
        ({"slot": f"{li.pk}|{at(MONDAY - timedelta(days=3), 10).isoformat()}"}, 400, "That time has passed."),
        ({"slot": f"{li.pk}|{at(MONDAY, 12, 15).isoformat()}"}, 400, "does not work at that time"),
        ({"slot": "garbage"}, 400, "Choose a service, your pet and a free time."),
        ({"slot": f"{li.pk}|{at(MONDAY, 9).isoformat()}", "pet": str(care["walk_in_pet"].uuid)}, 400, "Choose a service, your pet"),
    ]
    for body, status, text in cases:
        response = client.post("/my/book/" + query, body)
        assert response.status_code == status, text
        assert text in response.content.decode()
    assert client.get("/my/book/?service=not-a-uuid&pet=nor-this&day=someday").status_code == 200
    with schema_context(shop.schema_name):
        assert Booking.objects.count() == 0


def test_move_and_cancel_follow_the_two_hour_rule_and_only_for_ones_own(shop, care):
    with schema_context(shop.schema_name):
        booking = booking_create(customer=care["walk_in"], pet=care["walk_in_pet"], service=care["service"], resource=care["li"],
                                 starts_at=at(MONDAY, 10), clock=FixedClock(NOW))  # fmt: skip
    owner, other = care["walk_in_client"], care["member"]
    assert other.get(f"/my/bookings/{booking.uuid}/").status_code == 404
    assert other.post(f"/my/bookings/{booking.uuid}/cancel/").status_code == 404
    page = owner.get(f"/my/bookings/{booking.uuid}/?day=2026-03-10").content.decode()
    new_slot = f"{care['li'].pk}|{at(MONDAY + timedelta(days=1), 16).astimezone(UTC).isoformat()}"
    assert f'value="{new_slot}"' in page
    moved = owner.post(f"/my/bookings/{booking.uuid}/move/", {"slot": new_slot})
    assert moved.status_code == 302
    with schema_context(shop.schema_name):
        booking.refresh_from_db()
        assert booking.starts_at == at(MONDAY + timedelta(days=1), 16)
    with time_machine.travel(at(MONDAY + timedelta(days=1), 15), tick=False):
        late = owner.post(f"/my/bookings/{booking.uuid}/cancel/")
        assert late.status_code == 409 and "please call the shop" in late.content.decode()
        with schema_context(shop.schema_name):
            assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert owner.post(f"/my/bookings/{booking.uuid}/cancel/").status_code == 302
    with schema_context(shop.schema_name):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_complaints_link_only_ones_own_records_then_confirm_or_reopen(shop, care):
    client, contract = care["member"], care["contract"]
    with schema_context(shop.schema_name):
        strangers = booking_create(customer=care["walk_in"], pet=care["walk_in_pet"], service=care["service"], resource=care["li"],
                                   starts_at=at(MONDAY, 10), clock=FixedClock(NOW))  # fmt: skip
    body = {"category": "billing", "text": "I was debited twice this month."}
    for link in (f"booking:{strangers.uuid}", "order:not-a-uuid", f"order:{strangers.uuid}"):
        refused = client.post("/my/complaints/", {**body, "link": link})
        assert refused.status_code == 400 and "Choose one of your own." in refused.content.decode()
    assert client.post("/my/complaints/", {**body, "text": "short"}).status_code == 400
    with schema_context(shop.schema_name):
        assert Complaint.objects.count() == 0
    assert client.post("/my/complaints/", {**body, "link": f"contract:{contract.uuid}"}).status_code == 302
    with schema_context(shop.schema_name):
        complaint = Complaint.objects.get()
        assert (complaint.contract_id, complaint.status, complaint.respond_by) == (contract.pk, ComplaintStatus.OPEN, NOW + timedelta(hours=24))
    page = client.get(f"/my/complaints/{complaint.uuid}/").content.decode()
    assert "by 03-08 12:00" in page and "by 03-09 12:00" in page
    assert care["walk_in_client"].get(f"/my/complaints/{complaint.uuid}/").status_code == 404
    assert client.post(f"/my/complaints/{complaint.uuid}/confirm/").status_code == 409  # not resolved yet
    with schema_context(shop.schema_name):
        complaint_resolve(complaint=complaint, author=None, text="Refunded the second debit.", clock=FixedClock(NOW + timedelta(hours=3)))
    assert client.post(f"/my/complaints/{complaint.uuid}/reopen/", {"text": "Not refunded yet."}).status_code == 302
    with schema_context(shop.schema_name):
        complaint.refresh_from_db()
        assert (complaint.status, complaint.reopened_count, complaint.respond_by) == (ComplaintStatus.OPEN, 1, NOW + timedelta(hours=24))
        complaint_resolve(complaint=complaint, author=None, text="Refund arrived.", clock=FixedClock(NOW + timedelta(hours=5)))
    assert client.post(f"/my/complaints/{complaint.uuid}/confirm/").status_code == 302
    with schema_context(shop.schema_name):
        assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.CLOSED


def test_another_shops_host_knows_none_of_it(shop, other_shop, care):
    with schema_context(shop.schema_name):
        booking = booking_create(customer=care["walk_in"], pet=care["walk_in_pet"], service=care["service"], resource=care["li"],
                                 starts_at=at(MONDAY, 10), clock=FixedClock(NOW))  # fmt: skip
    with schema_context(other_shop.schema_name):
        customer, _pet = customer_with_pet()
    stranger = _login(other_shop, customer)
    assert stranger.get(f"/my/bookings/{booking.uuid}/").status_code == 404
    assert stranger.post(f"/my/bookings/{booking.uuid}/cancel/").status_code == 404
    assert "Full groom" not in stranger.get("/my/book/").content.decode()
    with schema_context(shop.schema_name):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_customer_menu_lists_the_booking_and_complaint_pages(shop, care):
    menu = care["member"].get("/my/").content.decode()  # the account page lists every customer page
    for path in ("/my/book/", "/my/bookings/", "/my/complaints/"):
        assert f'href="{path}"' in menu
