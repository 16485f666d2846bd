"""The partner API: emergency search for anyone, bookings for staff (their shop's only),
ratings for the customer of a completed booking; errors in the one shape, nothing written."""

from datetime import timedelta

import pytest
import time_machine
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import PARTNER, PARTNER_BOOKING, opaque_id
from pawpact.core.clock import default_clock
from pawpact.partners.models import PartnerBooking, PartnerRating
from pawpact.platform.models import PlatformJournal
from tests.care.factories import contract_with_grooming, customer_with_pet
from tests.care.test_api import error, login
from tests.conftest import host_of
from tests.partners.factories import booking, listed, onboard

pytestmark = pytest.mark.django_db


def api(shop, token=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def test_nearby_clinics_nearest_first_within_3_km_for_anyone(shop):
    near = listed(name="Near", latitude=31.2310, longitude=121.4740)  # about 70 m
    far = listed(name="Far", latitude=31.2480, longitude=121.4737)  # about 1.96 km
    listed(name="Too far", latitude=31.2600, longitude=121.4737)  # about 3.3 km
    onboard(name="Not listed", latitude=31.2305, longitude=121.4737)
    listed(name="Groomer", kind="groomer", latitude=31.2305, longitude=121.4737, services=("grooming",))
    response = api(shop).get("/api/v1/partners/clinics/nearby", {"lat": 31.2304, "lng": 121.4737})
    assert response.status_code == 200
    body = response.json()["results"]
    assert [row["id"] for row in body] == [opaque_id(PARTNER, near.pk, schema_name=shop.schema_name), opaque_id(PARTNER, far.pk, schema_name=shop.schema_name)]
    assert 60 <= body[0]["distance_m"] <= 80 and 1940 <= body[1]["distance_m"] <= 1980


@pytest.mark.parametrize("params", [{"lat": 91, "lng": 0}, {"lat": 0, "lng": -181}, {"lat": "x", "lng": 1}, {"lat": 1}])
def test_nearby_with_bad_coordinates_is_a_400(shop, params):
    body = error(api(shop).get("/api/v1/partners/clinics/nearby", params), 400)
    assert body["fields"]


def test_staff_book_a_partner_with_an_entitlement_and_completing_clears_it(shop, shop_staff):
    partner = listed(price_minor=9000, kind="groomer", services=("grooming", "bath"))
    with schema_context(shop.schema_name):
        contract = contract_with_grooming()
        pet_uuid = str(contract.pet.uuid)
    staff = api(shop, shop_staff.api_token)
    when = (default_clock.now() + timedelta(days=2)).isoformat()
    created = staff.post("/api/v1/partners/bookings", {"partner_id": opaque_id(PARTNER, partner.pk, schema_name=shop.schema_name), "pet_uuid": pet_uuid,
                         "service": "grooming", "scheduled_at": when, "with_entitlement": True}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert (created.json()["price_minor"], created.json()["status"]) == (9000, "requested")
    early = error(staff.post(f"/api/v1/partners/bookings/{created.json()['id']}/complete"), 409)
    assert early["code"] == "visit_not_yet" and PlatformJournal.objects.filter(kind="partner.clearing").count() == 0
    with time_machine.travel(default_clock.now() + timedelta(days=2, hours=1)):
        done = staff.post(f"/api/v1/partners/bookings/{created.json()['id']}/complete")
    assert done.json()["status"] == "completed"
    assert PlatformJournal.objects.filter(kind="partner.clearing", shop=shop).count() == 1


def test_an_entitlement_needs_a_plan_in_force(shop, shop_staff):
    partner = listed()
    with schema_context(shop.schema_name):
        _customer, pet = customer_with_pet()
    when = (default_clock.now() + timedelta(days=2)).isoformat()
    body = error(api(shop, shop_staff.api_token).post("/api/v1/partners/bookings", {
        "partner_id": opaque_id(PARTNER, partner.pk, schema_name=shop.schema_name), "pet_uuid": str(pet.uuid), "service": "checkup", "scheduled_at": when,
        "with_entitlement": True}, format="json"), 400)  # fmt: skip
    assert "with_entitlement" in body["fields"]
    assert PartnerBooking.objects.count() == 0


def test_a_booking_to_a_delisted_partner_is_a_409_and_writes_nothing(shop, shop_staff):
    from pawpact.partners.services import partner_delist

    partner = partner_delist(partner=listed())
    with schema_context(shop.schema_name):
        _customer, pet = customer_with_pet()
    when = (default_clock.now() + timedelta(days=2)).isoformat()
    body = error(api(shop, shop_staff.api_token).post("/api/v1/partners/bookings", {
        "partner_id": opaque_id(PARTNER, partner.pk, schema_name=shop.schema_name), "pet_uuid": str(pet.uuid), "service": "checkup", "scheduled_at": when},
        format="json"), 409)  # fmt: skip
    assert body["code"] == "partner_not_available"
    assert PartnerBooking.objects.count() == 0


def test_the_customer_rates_their_completed_booking_once(shop):
    partner = listed()
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        token = login(customer)
    done = booking(shop, partner, customer_uuid=customer.uuid)
    client = api(shop, token)
    for stars in (0, 6):
        assert error(client.post(f"/api/v1/partners/bookings/{opaque_id(PARTNER_BOOKING, done.pk, schema_name=shop.schema_name)}/rating", {"stars": stars}), 400)
    ok = client.post(f"/api/v1/partners/bookings/{opaque_id(PARTNER_BOOKING, done.pk, schema_name=shop.schema_name)}/rating", {"stars": 4, "comment": "Kind vet"})
    assert ok.status_code == 201 and ok.json()["stars"] == 4
    assert (
        error(client.post(f"/api/v1/partners/bookings/{opaque_id(PARTNER_BOOKING, done.pk, schema_name=shop.schema_name)}/rating", {"stars": 5}), 409)["code"] == "already_rated"
    )
    assert list(PartnerRating.objects.values_list("stars", flat=True)) == [4]
    mine = client.get("/api/v1/partners/bookings").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert [(row["id"], row["rating"]["stars"]) for row in rows] == [(opaque_id(PARTNER_BOOKING, done.pk, schema_name=shop.schema_name), 4)]


def test_a_booking_not_completed_cannot_be_rated(shop):
    partner = listed()
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        token = login(customer)
    sent = booking(shop, partner, customer_uuid=customer.uuid, completed=False)
    body = error(api(shop, token).post(f"/api/v1/partners/bookings/{opaque_id(PARTNER_BOOKING, sent.pk, schema_name=shop.schema_name)}/rating", {"stars": 5}), 400)
    assert body["code"] == "rating_refused"
    assert PartnerRating.objects.count() == 0


def test_another_shops_staff_neither_see_nor_complete_the_booking(shop, other_shop):
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue

    partner = listed()
    mine = booking(shop, partner, completed=False)
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff@beta.test", "x" * 12, name="Beta staff", is_staff=True)
        token = api_token_issue(user=user)
    theirs = api(other_shop, token)
    listing = theirs.get("/api/v1/partners/bookings").json()
    assert (listing["results"] if isinstance(listing, dict) else listing) == []
    assert error(theirs.post(f"/api/v1/partners/bookings/{opaque_id(PARTNER_BOOKING, mine.pk, schema_name=shop.schema_name)}/complete"), 404)
    assert PartnerBooking.objects.get(pk=mine.pk).status == "requested"


def test_a_second_redemption_in_the_period_is_a_409_and_writes_nothing(shop, shop_staff):
    partner = listed(price_minor=9000, kind="groomer", services=("grooming", "bath"))
    with schema_context(shop.schema_name):
        pet_uuid = str(contract_with_grooming(quantity=1).pet.uuid)
    staff = api(shop, shop_staff.api_token)
    when = (default_clock.now() + timedelta(days=2)).isoformat()
    body = {"partner_id": opaque_id(PARTNER, partner.pk, schema_name=shop.schema_name), "pet_uuid": pet_uuid, "service": "grooming", "scheduled_at": when,
            "with_entitlement": True}  # fmt: skip
    assert staff.post("/api/v1/partners/bookings", body, format="json").status_code == 201
    refused = error(staff.post("/api/v1/partners/bookings", {**body, "service": "bath"}, format="json"), 409)
    assert (refused["code"], list(refused["fields"])) == ("entitlement_unavailable", ["with_entitlement"])
    assert PartnerBooking.objects.filter(shop=shop).count() == 1
