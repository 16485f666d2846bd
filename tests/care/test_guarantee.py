"""Health guarantee claims: inside the window with evidence; decided by staff; the plan
ends by billing's pet-loss rule."""
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus, TerminationKind
from pawpact.billing.models import Termination
from pawpact.care.errors import GuaranteeClaimInvalid, GuaranteeClaimStateInvalid
from pawpact.care.pet_models import GuaranteeClaim
from pawpact.care.services.guarantee import (
    guarantee_claim_decide,
    guarantee_claim_decline,
    guarantee_claim_submit,
    guarantee_settings_update,
)
from pawpact.core.errors import ValidationFailed
from tests.billing.lifecycle.messages.helpers import active_contract
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, TODAY, pdf, png, script_as_png, shop_pet


def _adopted(days_ago: int = 10):
    contract = active_contract()
    pet = contract.pet
    pet.adoption_date = TODAY - timedelta(days=days_ago)
    pet.save(update_fields=["adoption_date"])
    return contract, pet


def _staff():
    found = User.objects.filter(email="vet-desk@alpha.test").first()
    return found or User.objects.create_user("vet-desk@alpha.test", "x-Secret-123", name="Desk", is_staff=True)


def test_a_refund_ends_the_plan_under_the_pet_loss_rule(shop):
    with schema_context(shop.schema_name):
        contract, pet = _adopted()
        claim = guarantee_claim_submit(
            pet=pet, customer=contract.customer, condition="fip", diagnosed_on=TODAY - timedelta(days=2),
            evidence=pdf(), note="Fever and fluid", clock=CLOCK,
        )
        assert (claim.status, claim.condition, claim.contract_id) == ("submitted", "FIP", contract.pk)
        decided = guarantee_claim_decide(claim=claim, outcome="refund", staff=_staff(), note="Sorry", clock=CLOCK)
        contract.refresh_from_db()
        assert (decided.status, contract.status) == ("refund", ContractStatus.TERMINATED_PET_LOSS)
        termination = Termination.objects.get(contract=contract)
        assert termination.kind == TerminationKind.PET_LOSS and termination.penalty_minor == 0
        with pytest.raises(GuaranteeClaimStateInvalid):
            guarantee_claim_decline(claim=claim, reason="Changed our mind", staff=_staff(), clock=CLOCK)


def test_a_replacement_gives_the_customer_a_shop_pet(shop):
    with schema_context(shop.schema_name):
        contract, pet = _adopted(days_ago=30)
        claim = guarantee_claim_submit(
            pet=pet, customer=contract.customer, condition="Feline panleukopenia", diagnosed_on=TODAY,
            evidence=png("diagnosis.png"), clock=CLOCK,
        )
        staff = _staff()
        with pytest.raises(ValidationFailed):
            guarantee_claim_decide(claim=claim, outcome="replacement", staff=staff, replacement_pet=pet, clock=CLOCK)
        new_pet = shop_pet()
        guarantee_claim_decide(claim=claim, outcome="replacement", staff=staff, replacement_pet=new_pet, clock=CLOCK)
        new_pet.refresh_from_db()
        contract.refresh_from_db()
        assert (new_pet.owner_id, new_pet.adoption_date) == (contract.customer_id, TODAY)
        assert contract.status == ContractStatus.TERMINATED_PET_LOSS
        assert GuaranteeClaim.objects.get().replacement_pet_id == new_pet.pk


@pytest.mark.parametrize(
    "days_ago, condition, evidence, field",
    [
        (31, "FIP", pdf, "pet"),  # the 30-day window has passed
        (10, "FIP", lambda: None, "evidence"),
        (10, "FIP", script_as_png, "evidence"),
        (10, "Broken leg", pdf, "condition"),
    ],
)
def test_outside_the_window_without_evidence_or_unlisted_is_refused(shop, days_ago, condition, evidence, field):
    with schema_context(shop.schema_name):
        contract, pet = _adopted(days_ago)
        with pytest.raises(GuaranteeClaimInvalid) as refused:
            guarantee_claim_submit(
                pet=pet, customer=contract.customer, condition=condition, diagnosed_on=TODAY, evidence=evidence(), clock=CLOCK
            )
        assert refused.value.code == "guarantee_claim_invalid" and field in refused.value.fields
        assert GuaranteeClaim.objects.count() == 0


def test_another_customers_pet_and_a_second_open_claim_are_refused(shop):
    with schema_context(shop.schema_name):
        contract, pet = _adopted()
        stranger, _ = customer_with_pet()
        with pytest.raises(GuaranteeClaimInvalid) as refused:
            guarantee_claim_submit(pet=pet, customer=stranger, condition="FIP", diagnosed_on=TODAY, evidence=pdf(), clock=CLOCK)
        assert list(refused.value.fields) == ["pet"]
        guarantee_claim_submit(pet=pet, customer=contract.customer, condition="FIP", diagnosed_on=TODAY, evidence=pdf(), clock=CLOCK)
        with pytest.raises(GuaranteeClaimStateInvalid):
            guarantee_claim_submit(pet=pet, customer=contract.customer, condition="FIP", diagnosed_on=TODAY, evidence=pdf(), clock=CLOCK)
        assert GuaranteeClaim.objects.count() == 1


def test_the_shop_sets_its_window_and_a_decline_keeps_the_plan(shop):
    with schema_context(shop.schema_name):
        guarantee_settings_update(window_days=45, conditions=["FIP", "Ringworm"])
        contract, pet = _adopted(days_ago=40)
        claim = guarantee_claim_submit(
            pet=pet, customer=contract.customer, condition="ringworm", diagnosed_on=TODAY, evidence=pdf(), clock=CLOCK
        )
        with pytest.raises(ValidationFailed):
            guarantee_claim_decline(claim=claim, reason="no", staff=_staff(), clock=CLOCK)
        declined = guarantee_claim_decline(claim=claim, reason="The certificate is from before adoption", staff=_staff(), clock=CLOCK)
        contract.refresh_from_db()
        assert (declined.status, contract.status) == ("declined", ContractStatus.ACTIVE)
