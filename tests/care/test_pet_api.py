"""The pet archive, guarantee and adoption API: own records only, staff queues, anonymous
listings; refusals keep the one error shape and write nothing; no shop sees another's."""
import itertools
import uuid
from datetime import timedelta

import pytest
import time_machine
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.care.pet_models import AdoptionApplication, GuaranteeClaim, HealthRecord, PetWeight
from pawpact.care.services.adoptions import adoption_listing_create
from tests.billing.lifecycle.messages.helpers import active_contract, version_create
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, TODAY, pdf, png, script_as_png, shop_pet
from tests.conftest import SHOP_PASSWORD, host_of

_emails = itertools.count(1)
APPLY = {"name": "Lin", "phone": "+86 139 0000 1111", "housing": "rented_flat", "experience": "Grew up with dogs.", "consent": True}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(CLOCK.now(), tick=False):
        yield


def api(shop, token=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def key() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def login(customer) -> str:
    user = User.objects.create_user(f"pets{next(_emails)}@example.com", SHOP_PASSWORD, name=customer.name)
    customer.user = user
    customer.save(update_fields=["user"])
    return api_token_issue(user=user)


def test_a_customer_keeps_their_pets_archive_and_cannot_reach_anothers(shop, shop_staff):
    with schema_context(shop.schema_name):
        customer, pet = customer_with_pet()
        _, other_pet = customer_with_pet()
        token = login(customer)
    client = api(shop, token)
    base = f"/api/v1/care/pets/{pet.uuid}"
    assert client.patch(f"{base}/archive", {"sex": "male_neutered", "allergies": "fish"}, format="json").json()["sex"] == "male_neutered"
    assert client.post(f"{base}/weights", {"measured_on": str(TODAY), "grams": 4100}, format="json", **key()).status_code == 201
    record = client.post(f"{base}/records", {"kind": "deworming", "done_on": str(TODAY), "product": "Milbemax"}, format="json", **key())
    assert record.status_code == 201 and record.json()["kind"] == "deworming"
    photos = client.post(f"{base}/photos", {"photos": [png()]}, format="multipart", **key())
    assert photos.status_code == 201 and len(photos.json()["photos"]) == 1
    archive = client.get(f"{base}/archive").json()
    assert (archive["allergies"], archive["weights"], archive["health_records"][0]["product"]) == (
        "fish", [{"measured_on": str(TODAY), "grams": 4100}], "Milbemax"
    )
    assert error(client.get(f"/api/v1/care/pets/{other_pet.uuid}/archive"), 404)["code"] == "not_found"
    error(client.post(f"/api/v1/care/pets/{other_pet.uuid}/weights", {"measured_on": str(TODAY), "grams": 1}, format="json", **key()), 404)
    staff = api(shop, shop_staff.api_token)
    assert staff.get(f"/api/v1/care/pets/{other_pet.uuid}/archive").status_code == 200


def test_bad_archive_input_is_refused_and_writes_nothing(shop):
    with schema_context(shop.schema_name):
        customer, pet = customer_with_pet()
        token = login(customer)
    client, base = api(shop, token), f"/api/v1/care/pets/{pet.uuid}"
    assert "grams" in error(client.post(f"{base}/weights", {"measured_on": str(TODAY), "grams": 0}, format="json", **key()), 400)["fields"]
    past_today = {"measured_on": str(TODAY + timedelta(days=1)), "grams": 3000}
    assert error(client.post(f"{base}/weights", past_today, format="json", **key()), 400)["code"] == "pet_record_invalid"
    future = {"kind": "vaccine", "done_on": str(TODAY + timedelta(days=1)), "product": "Rabies"}
    assert "done_on" in error(client.post(f"{base}/records", future, format="json", **key()), 400)["fields"]
    backwards = {"kind": "vaccine", "done_on": str(TODAY), "product": "Rabies", "next_due": str(TODAY - timedelta(days=1))}
    assert "next_due" in error(client.post(f"{base}/records", backwards, format="json", **key()), 400)["fields"]
    bad_photo = client.post(f"{base}/photos", {"photos": [script_as_png()]}, format="multipart", **key())
    assert error(bad_photo, 400)["code"] == "upload_invalid"
    with schema_context(shop.schema_name):
        assert (PetWeight.objects.count(), HealthRecord.objects.count(), pet.photos.count()) == (0, 0, 0)


def test_guarantee_claims_over_the_api(shop, shop_staff):
    with schema_context(shop.schema_name):
        contract = active_contract()
        pet = contract.pet
        pet.adoption_date = TODAY - timedelta(days=5)
        pet.save(update_fields=["adoption_date"])
        token = login(contract.customer)
        stranger, stranger_pet = customer_with_pet()
        stranger_token = login(stranger)
    body = {"pet_uuid": str(pet.uuid), "condition": "FIP", "diagnosed_on": str(TODAY), "evidence": pdf()}
    refused = error(api(shop, stranger_token).post("/api/v1/care/guarantee-claims", body, format="multipart", **key()), 404)
    assert list(refused["fields"]) == ["pet_uuid"]
    no_evidence = {k: v for k, v in body.items() if k != "evidence"}
    assert "evidence" in error(api(shop, token).post("/api/v1/care/guarantee-claims", no_evidence, format="multipart", **key()), 400)["fields"]
    body["evidence"] = pdf()
    created = api(shop, token).post("/api/v1/care/guarantee-claims", body, format="multipart", **key())
    assert created.status_code == 201 and created.json()["status"] == "submitted"
    claim = created.json()["uuid"]
    error(api(shop, stranger_token).get(f"/api/v1/care/guarantee-claims/{claim}"), 404)
    assert error(api(shop, token).post(f"/api/v1/care/guarantee-claims/{claim}/decide", {"outcome": "refund"}, format="json", **key()), 403)["code"] == "permission_denied"
    decided = api(shop, shop_staff.api_token).post(f"/api/v1/care/guarantee-claims/{claim}/decide", {"outcome": "refund"}, format="json", **key())
    assert decided.status_code == 200 and decided.json()["status"] == "refund"
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert (contract.status, GuaranteeClaim.objects.count()) == ("terminated_pet_loss", 1)


def test_anyone_applies_for_a_listed_pet_and_staff_review(shop, shop_staff):
    with schema_context(shop.schema_name):
        plan = version_create().plan
        listing = adoption_listing_create(pet=shop_pet(), values={"headline": "Snow", "fee_minor": 30_000, "suggested_plan": plan}, clock=CLOCK)
        customer, _ = customer_with_pet()
    anonymous = api(shop)
    listed = anonymous.get("/api/v1/care/adoptions").json()["results"]
    assert [(row["uuid"], row["fee_minor"], row["suggested_plan_code"]) for row in listed] == [(str(listing.uuid), 30_000, plan.code)]
    assert error(anonymous.post(f"/api/v1/care/adoptions/{listing.uuid}/apply", {**APPLY, "consent": False}, format="json"), 400)["code"] == "adoption_application_invalid"
    retry = key()
    applied = anonymous.post(f"/api/v1/care/adoptions/{listing.uuid}/apply", APPLY, format="json", **retry)
    assert applied.status_code == 201 and set(applied.json()) == {"object", "uuid", "status", "submitted_at"}
    replayed = anonymous.post(f"/api/v1/care/adoptions/{listing.uuid}/apply", APPLY, format="json", **retry)
    assert (replayed["Idempotent-Replayed"], replayed.json()["uuid"]) == ("true", applied.json()["uuid"])
    error(anonymous.get("/api/v1/care/adoption-applications"), 401)
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.count() == 1
    staff = api(shop, shop_staff.api_token)
    queue = staff.get("/api/v1/care/adoption-applications?status=submitted").json()["results"]
    assert [row["name"] for row in queue] == ["Lin"]
    approved = staff.post(f"/api/v1/care/adoption-applications/{queue[0]['uuid']}/approve", {"customer_uuid": str(customer.uuid)}, format="json", **key())
    assert approved.json()["status"] == "approved"
    assert anonymous.get("/api/v1/care/adoptions").json()["results"] == []
    closed = anonymous.post(f"/api/v1/care/adoptions/{listing.uuid}/apply", APPLY, format="json")
    assert error(closed, 409)["code"] == "listing_closed"
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.count() == 1


def test_nothing_crosses_to_another_shop(shop, other_shop, shop_staff):
    with schema_context(shop.schema_name):
        listing = adoption_listing_create(pet=shop_pet(), values={"headline": "Snow"}, clock=CLOCK)
        _, pet = customer_with_pet()
    other = api(other_shop)
    assert other.get("/api/v1/care/adoptions").json()["results"] == []
    error(other.get(f"/api/v1/care/adoptions/{listing.uuid}"), 404)
    error(other.post(f"/api/v1/care/adoptions/{listing.uuid}/apply", APPLY, format="json"), 404)
    # A token of one shop is unknown on another's host.
    foreign = api(other_shop, shop_staff.api_token)
    error(foreign.get(f"/api/v1/care/pets/{pet.uuid}/archive"), 401)
    error(foreign.get("/api/v1/care/guarantee-claims"), 401)
    with schema_context(other_shop.schema_name):
        assert AdoptionApplication.objects.count() == 0 and GuaranteeClaim.objects.count() == 0
