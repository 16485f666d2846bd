"""The booking API over HTTP: customers book for their own pets only, staff run the day,
errors keep the one shape and write nothing, and nothing crosses from one shop to another."""
import itertools
from datetime import date

import pytest
import time_machine
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.care.models import Booking, Resource, ServiceType
from pawpact.care.services.bookings import booking_create
from pawpact.core.clock import FixedClock
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming
from tests.conftest import SHOP_PASSWORD, host_of

MONDAY = date(2026, 3, 9)
_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def api(shop, token=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def login(customer) -> str:
    user = User.objects.create_user(f"care{next(_emails)}@example.com", SHOP_PASSWORD, name=customer.name)
    customer.user = user
    customer.save(update_fields=["user"])
    return api_token_issue(user=user)


@pytest.fixture
def world(shop):
    with schema_context(shop.schema_name):
        service = grooming()
        resource = groomer(service)
        customer, pet = customer_with_pet()
        other, other_pet = customer_with_pet()
        token, other_token = login(customer), login(other)
        theirs = booking_create(customer=other, pet=other_pet, service=service, resource=resource, starts_at=at(MONDAY, 15), clock=FixedClock(NOW))
    return {
        "service": service, "resource": resource, "pet": pet, "other_pet": other_pet, "token": token,
        "other_token": other_token, "theirs": theirs,
    }  # fmt: skip


def body(world, pet=None, hour=10, minute=0):
    return {
        "pet_uuid": str((pet or world["pet"]).uuid),
        "service_uuid": str(world["service"].uuid),
        "resource_uuid": str(world["resource"].uuid),
        "starts_at": at(MONDAY, hour, minute).isoformat(),
    }


def test_a_customer_finds_a_slot_books_and_cancels(shop, world):
    client = api(shop, world["token"])
    slots = client.get("/api/v1/care/slots", {"service_uuid": world["service"].uuid, "date_from": "2026-03-09", "date_to": "2026-03-09"})
    assert slots.status_code == 200, slots.content
    starts = [slot["starts_at"] for slot in slots.json()["results"]]
    assert at(MONDAY, 10).isoformat() in starts and at(MONDAY, 15).isoformat() not in starts
    created = client.post("/api/v1/care/bookings", body(world), format="json")
    assert created.status_code == 201, created.content
    booking = created.json()
    assert (booking["status"], booking["benefit_source"], booking["price_minor"], booking["amount_due_minor"]) == ("booked", "paid", 8_800, 8_800)
    mine = client.get("/api/v1/care/bookings").json()["results"]
    assert [row["uuid"] for row in mine] == [booking["uuid"]]
    cancelled = client.post(f"/api/v1/care/bookings/{booking['uuid']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("someone_elses_pet", 400, "booking_invalid"),
        ("past", 400, "booking_invalid"),
        ("outside_hours", 400, "booking_invalid"),
        ("overlapping", 409, "slot_unavailable"),
        ("unknown_field", 400, "invalid"),
    ],
)
def test_bad_bookings_answer_4xx_and_write_nothing(shop, world, case, status, code):
    payload = {
        "someone_elses_pet": body(world, pet=world["other_pet"]),
        "past": {**body(world), "starts_at": at(date(2026, 3, 6), 10).isoformat()},
        "outside_hours": body(world, hour=19),
        "overlapping": body(world, hour=15, minute=30),
        "unknown_field": {**body(world), "price_minor": 0},
    }[case]
    with schema_context(shop.schema_name):
        before = Booking.objects.count()
    assert error(api(shop, world["token"]).post("/api/v1/care/bookings", payload, format="json"), status)["code"] == code
    with schema_context(shop.schema_name):
        assert Booking.objects.count() == before


def test_someone_elses_booking_is_not_found_and_unchanged(shop, world):
    client = api(shop, world["token"])
    uuid = world["theirs"].uuid
    assert error(client.get(f"/api/v1/care/bookings/{uuid}"), 404)["code"] == "not_found"
    assert error(client.post(f"/api/v1/care/bookings/{uuid}/cancel"), 404)["code"] == "not_found"
    assert error(client.post(f"/api/v1/care/bookings/{uuid}/reschedule", {"starts_at": at(MONDAY, 16).isoformat()}, format="json"), 404)
    with schema_context(shop.schema_name):
        assert Booking.objects.get(uuid=uuid).status == "booked"
        assert Booking.objects.get(uuid=uuid).starts_at == at(MONDAY, 15)


def test_customers_cannot_run_the_counter(shop, world):
    client = api(shop, world["token"])
    uuid = world["theirs"].uuid
    assert client.post(f"/api/v1/care/bookings/{uuid}/complete", {"collected": True}, format="json").status_code == 403
    assert client.post(f"/api/v1/care/bookings/{uuid}/no-show").status_code == 403
    assert client.post("/api/v1/care/services", {"name": "X", "kind": "grooming", "duration_minutes": 30, "price_minor": 1}, format="json").status_code == 403


def test_staff_set_up_services_and_resources_and_see_the_day(shop, shop_staff, world):
    client = api(shop, shop_staff.api_token)
    service = client.post("/api/v1/care/services", {"name": "Nail trim", "kind": "grooming", "duration_minutes": 30, "price_minor": 3_000}, format="json")
    assert service.status_code == 201, service.content
    hours = [{"weekday": 0, "opens": "09:00", "closes": "12:00"}, {"weekday": 0, "opens": "11:00", "closes": "13:00"}]
    bad = client.post("/api/v1/care/resources", {"name": "Wang", "service_uuids": [service.json()["uuid"]], "hours": hours}, format="json")
    assert error(bad, 400)["fields"] == {"hours": ["Windows of one day must not overlap."]}
    hours[1] = {"weekday": 0, "opens": "13:00", "closes": "17:00"}
    resource = client.post("/api/v1/care/resources", {"name": "Wang", "service_uuids": [service.json()["uuid"]], "hours": hours}, format="json")
    assert resource.status_code == 201, resource.content
    with schema_context(shop.schema_name):
        assert Resource.objects.filter(name="Wang").count() == 1
    day = client.get("/api/v1/care/bookings", {"date": "2026-03-09"}).json()["results"]
    assert [row["uuid"] for row in day] == [str(world["theirs"].uuid)]


def test_nothing_crosses_shops(shop, other_shop, world):
    """Beta's host with alpha's token, and beta's own staff, see and touch none of alpha's care rows."""
    uuid = world["theirs"].uuid
    assert api(other_shop, world["other_token"]).get("/api/v1/care/bookings").status_code == 401
    with schema_context(other_shop.schema_name):
        staff = User.objects.create_user("care-staff@beta.test", SHOP_PASSWORD, name="Beta staff", is_staff=True)
        beta_token = api_token_issue(user=staff)
    beta = api(other_shop, beta_token)
    assert beta.get("/api/v1/care/bookings").json()["results"] == []
    assert beta.get("/api/v1/care/services").json()["results"] == []
    assert beta.get("/api/v1/care/resources").json()["results"] == []
    assert error(beta.get(f"/api/v1/care/bookings/{uuid}"), 404)
    assert error(beta.post(f"/api/v1/care/bookings/{uuid}/cancel"), 404)
    assert error(beta.post(f"/api/v1/care/resources/{world['resource'].uuid}/days-off", {"day": "2026-03-10"}, format="json"), 404)
    assert error(beta.get("/api/v1/care/slots", {"service_uuid": world["service"].uuid, "date_from": "2026-03-09", "date_to": "2026-03-09"}), 404)
    with schema_context(shop.schema_name):
        assert Booking.objects.get(uuid=uuid).status == "booked"
        assert not world["resource"].days_off.exists()
    with schema_context(other_shop.schema_name):
        assert (Booking.objects.count(), ServiceType.objects.count()) == (0, 0)
