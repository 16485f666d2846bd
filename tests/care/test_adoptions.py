"""Adoption listings and applications: listed pets take applications; approval reserves
the pet and closes the others; a pet no longer listed takes none."""
import pytest
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.models import PlanVersion
from pawpact.billing.services.signing import application_create
from pawpact.care.errors import AdoptionApplicationInvalid, AdoptionApplicationStateInvalid, ListingClosed
from pawpact.care.pet_models import AdoptionApplication, AdoptionListing
from pawpact.care.services.adoptions import (
    adoption_application_approve,
    adoption_application_decline,
    adoption_application_submit,
    adoption_listing_create,
    adoption_listing_withdraw,
    adoption_on_contract_signed,
)
from pawpact.core.errors import ValidationFailed
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, shop_pet

APPLICANT = {
    "name": "Lin Xiaomei", "phone": "+86 139 0000 1111", "email": "lin@example.com", "housing": "own_flat",
    "experience": "Two cats over ten years.", "message": "", "consent": True,
}


def listing(**values):
    return adoption_listing_create(pet=shop_pet(), values={"headline": "Snow, a calm kitten", "fee_minor": 50_000, **values}, clock=CLOCK)


def test_approving_one_application_reserves_the_pet_and_declines_the_others(shop):
    with schema_context(shop.schema_name):
        offered = listing()
        first = adoption_application_submit(listing=offered, values=APPLICANT, clock=CLOCK)
        second = adoption_application_submit(listing=offered, values={**APPLICANT, "name": "Wang"}, clock=CLOCK)
        customer, _ = customer_with_pet()
        staff = User.objects.create_user("desk@alpha.test", "x-Secret-123", name="Desk", is_staff=True)
        approved = adoption_application_approve(application=first, customer=customer, staff=staff, clock=CLOCK)
        offered.refresh_from_db()
        second.refresh_from_db()
        assert (approved.status, approved.customer_id, offered.status) == ("approved", customer.pk, "reserved")
        assert (second.status, second.decision_reason) == ("declined", "Another family was chosen for this pet.")
        with pytest.raises(ListingClosed):
            adoption_application_submit(listing=offered, values=APPLICANT, clock=CLOCK)
        with pytest.raises(AdoptionApplicationStateInvalid):
            adoption_application_decline(application=first, reason="Changed our mind", staff=staff, clock=CLOCK)
        assert AdoptionApplication.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [({"consent": False}, "consent"), ({"phone": "12"}, "phone"), ({"housing": "castle"}, "housing"), ({"experience": "yes"}, "experience")],
)
def test_incomplete_applications_write_nothing(shop, change, field):
    with schema_context(shop.schema_name):
        offered = listing()
        with pytest.raises(AdoptionApplicationInvalid) as refused:
            adoption_application_submit(listing=offered, values={**APPLICANT, **change}, clock=CLOCK)
        assert field in refused.value.fields and AdoptionApplication.objects.count() == 0


def test_a_withdrawn_listing_takes_no_application_and_closes_the_open_ones(shop):
    with schema_context(shop.schema_name):
        offered = listing()
        waiting = adoption_application_submit(listing=offered, values=APPLICANT, clock=CLOCK)
        adoption_listing_withdraw(listing=offered)
        with pytest.raises(ListingClosed):
            adoption_application_submit(listing=offered, values=APPLICANT, clock=CLOCK)
        waiting.refresh_from_db()
        assert waiting.status == "declined" and AdoptionApplication.objects.count() == 1


def test_only_a_shop_pet_can_be_listed_once_with_a_fee_not_below_zero(shop):
    with schema_context(shop.schema_name):
        _, owned = customer_with_pet()
        with pytest.raises(ValidationFailed) as refused:
            adoption_listing_create(pet=owned, values={"headline": "Not ours"}, clock=CLOCK)
        assert list(refused.value.fields) == ["pet"]
        pet = shop_pet()
        with pytest.raises(ValidationFailed) as refused:
            adoption_listing_create(pet=pet, values={"headline": "Snow", "fee_minor": -1}, clock=CLOCK)
        assert list(refused.value.fields) == ["fee"]
        adoption_listing_create(pet=pet, values={"headline": "Snow"}, clock=CLOCK)
        with pytest.raises(ValidationFailed):
            adoption_listing_create(pet=pet, values={"headline": "Snow again"}, clock=CLOCK)
        assert AdoptionListing.objects.count() == 1


def test_the_reserved_listing_is_adopted_when_a_plan_starts_for_its_pet(shop):
    with schema_context(shop.schema_name):
        offered, other = listing(), listing()
        staff = User.objects.create_user("desk@alpha.test", "x-Secret-123", name="Desk", is_staff=True)
        adopters = [customer_with_pet()[0], customer_with_pet()[0]]
        for each, adopter in zip((offered, other), adopters, strict=True):
            application = adoption_application_submit(listing=each, values=APPLICANT, clock=CLOCK)
            adoption_application_approve(application=application, customer=adopter, staff=staff, clock=CLOCK)
        contract = application_create(customer=adopters[0], pet=offered.pet, plan_version_id=PlanVersion.objects.first().pk)
        adoption_on_contract_signed(payload={"contract_uuid": str(contract.uuid)}, clock=CLOCK)
        adoption_on_contract_signed(payload={"contract_uuid": str(contract.uuid)}, clock=CLOCK)  # again: no change
        assert list(AdoptionListing.objects.filter(pk__in=[offered.pk, other.pk]).order_by("pk").values_list(
            "status", flat=True)) == ["adopted", "reserved"]  # fmt: skip
