"""The pet pages: customers see only their own pets (PDF, shared link, claim), visitors
browse and apply on the shop host, staff work the queues by role; nothing crosses shops."""
import itertools
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.pet_models import AdoptionApplication, GuaranteeClaim, HealthRecord, PetWeight
from pawpact.care.pet_pages import SHARE_SALT
from pawpact.care.services.adoptions import adoption_listing_create
from pawpact.care.services.guarantee import guarantee_claim_submit
from pawpact.workspace.enums import Role
from tests.billing.lifecycle.messages.helpers import active_contract
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, TODAY, pdf, shop_pet
from tests.conftest import SHOP_PASSWORD, host_of
from tests.workspace.conftest import client_for, staff_user

_emails = itertools.count(1)
APPLY = {"name": "Lin Xiaomei", "phone": "13900001111", "housing": "own_flat", "experience": "Two cats over ten years.", "consent": "on"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(CLOCK.now(), tick=False):
        yield


def customer_client(shop, customer) -> Client:
    with schema_context(shop.schema_name):
        user = User.objects.create_user(f"pages{next(_emails)}@example.com", SHOP_PASSWORD, name=customer.name)
        customer.user = user
        customer.save(update_fields=["user"])
    return client_for(shop, user)


def test_my_pets_archive_pdf_and_share_link(shop):
    with schema_context(shop.schema_name):
        customer, pet = customer_with_pet()
        _, other = customer_with_pet()
    client = customer_client(shop, customer)
    listing = client.get("/my/pets/")
    assert listing.status_code == 200 and pet.name in listing.content.decode()
    saved = client.post(f"/my/pets/{pet.uuid}/", {"form": "weight", "measured_on": str(TODAY), "weight_kg": "4.35"})
    assert saved.status_code == 302
    refused = client.post(f"/my/pets/{pet.uuid}/", {"form": "weight", "measured_on": str(TODAY), "weight_kg": "0"})
    assert refused.status_code == 400 and "Enter a weight above 0 kg." in refused.content.decode()
    future = client.post(f"/my/pets/{pet.uuid}/", {"form": "record", "kind": "checkup", "done_on": str(TODAY + timedelta(days=2))})
    assert future.status_code == 400
    with schema_context(shop.schema_name):
        assert list(PetWeight.objects.values_list("grams", flat=True)) == [4350] and HealthRecord.objects.count() == 0
    document = client.get(f"/my/pets/{pet.uuid}/health-record.pdf")
    assert document["Content-Type"] == "application/pdf" and document.content.startswith(b"%PDF")
    assert client.get(f"/my/pets/{other.uuid}/").status_code == 404
    assert client.get(f"/my/pets/{other.uuid}/health-record.pdf").status_code == 404
    shared = client.post(f"/my/pets/{pet.uuid}/share/")
    token = shared.content.decode().split("/health/")[1].split("/")[0]
    anonymous = Client(HTTP_HOST=host_of(shop))
    page = anonymous.get(f"/health/{token}/")
    assert page.status_code == 200 and "4.35" in page.content.decode()
    tampered = anonymous.get(f"/health/{token}x/")
    assert tampered.status_code == 404 and "This link is not valid" in tampered.content.decode()
    with time_machine.travel(CLOCK.now() + timedelta(days=8), tick=False):
        assert anonymous.get(f"/health/{token}/").status_code == 410


def test_a_shared_link_of_one_shop_shows_nothing_on_another(shop, other_shop):
    with schema_context(shop.schema_name):
        _, pet = customer_with_pet()
    token = signing.TimestampSigner(salt=SHARE_SALT).sign(str(pet.uuid))
    assert Client(HTTP_HOST=host_of(other_shop)).get(f"/health/{token}/").status_code == 404


def test_a_customer_claims_the_guarantee_on_the_page(shop):
    with schema_context(shop.schema_name):
        contract = active_contract()
        pet = contract.pet
        pet.adoption_date = TODAY - timedelta(days=40)
        pet.save(update_fields=["adoption_date"])
    client = customer_client(shop, contract.customer)
    late = client.post(f"/my/pets/{pet.uuid}/claim/", {"condition": "FIP", "diagnosed_on": str(TODAY), "evidence": pdf()})
    assert late.status_code == 400 and "The health guarantee for this pet has ended." in late.content.decode()
    with schema_context(shop.schema_name):
        assert GuaranteeClaim.objects.count() == 0
        pet.adoption_date = TODAY - timedelta(days=3)
        pet.save(update_fields=["adoption_date"])
    sent = client.post(f"/my/pets/{pet.uuid}/claim/", {"condition": "FIP", "diagnosed_on": str(TODAY), "evidence": pdf()})
    assert sent.status_code == 302
    with schema_context(shop.schema_name):
        assert list(GuaranteeClaim.objects.values_list("status", "condition")) == [("submitted", "FIP")]


def test_visitors_browse_and_apply_and_a_closed_listing_takes_nothing(shop, other_shop):
    with schema_context(shop.schema_name):
        listing = adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow, a calm kitten", "fee_minor": 50_000}, clock=CLOCK)
    visitor = Client(HTTP_HOST=host_of(shop))
    page = visitor.get("/adopt/").content.decode()
    assert "Snow, a calm kitten" in page and "¥500.00" in page
    missing = visitor.post(f"/adopt/{listing.uuid}/", {**APPLY, "consent": ""})
    assert missing.status_code == 400
    assert visitor.post(f"/adopt/{listing.uuid}/", APPLY).status_code == 200
    assert Client(HTTP_HOST=host_of(other_shop)).get(f"/adopt/{listing.uuid}/").status_code == 404
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.count() == 1
        listing.status = "withdrawn"
        listing.save(update_fields=["status"])
    assert visitor.post(f"/adopt/{listing.uuid}/", APPLY).status_code == 410  # a closed listing says so and takes nothing
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.count() == 1


def test_staff_pages_by_role_and_approval_opens_the_signing_wizard(shop):
    with schema_context(shop.schema_name):
        listing = adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow"}, clock=CLOCK)
        contract = active_contract()
        contract.pet.adoption_date = TODAY - timedelta(days=3)
        contract.pet.save(update_fields=["adoption_date"])
        claim = guarantee_claim_submit(pet=contract.pet, customer=contract.customer, condition="FIP", diagnosed_on=TODAY, evidence=pdf(), clock=CLOCK)
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    for url in ("/manage/pets/", "/manage/pets/adoptions/", "/manage/pets/applications/", "/manage/pets/claims/", f"/manage/pets/archive/{contract.pet.uuid}/"):
        assert clerk.get(url).status_code == 200, url
    assert clerk.get("/manage/pets/?export=csv").status_code == 200
    assert clerk.get("/manage/pets/claims/?export=xlsx").status_code == 200
    assert clerk.post(f"/manage/pets/claims/{claim.uuid}/decide/", {"outcome": "refund"}).status_code == 403
    Client(HTTP_HOST=host_of(shop)).post(f"/adopt/{listing.uuid}/", APPLY)
    with schema_context(shop.schema_name):
        application = AdoptionApplication.objects.get()
    no_birth_date = clerk.post(f"/manage/pets/applications/{application.uuid}/approve/", {})
    assert no_birth_date.status_code == 302
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.get().status == "submitted"
    approved = clerk.post(f"/manage/pets/applications/{application.uuid}/approve/", {"birth_date": "1990-05-01"})
    assert approved.status_code == 302 and "/manage/signings/new/" in approved["Location"] and str(listing.pet.uuid) in approved["Location"]
    with schema_context(shop.schema_name):
        application.refresh_from_db()
        assert (application.status, application.customer.phone) == ("approved", "13900001111")
    manager = client_for(shop, staff_user(shop, Role.MANAGER))
    assert manager.post(f"/manage/pets/claims/{claim.uuid}/decide/", {"outcome": "refund", "note": ""}).status_code == 302
    with schema_context(shop.schema_name):
        claim.refresh_from_db()
        contract.refresh_from_db()
        assert (claim.status, contract.status) == ("refund", "terminated_pet_loss")


def test_customers_and_visitors_never_reach_the_staff_pages(shop):
    with schema_context(shop.schema_name):
        customer, _ = customer_with_pet()
    assert customer_client(shop, customer).get("/manage/pets/").status_code in (302, 403)
    assert Client(HTTP_HOST=host_of(shop)).get("/manage/pets/claims/").status_code == 302
