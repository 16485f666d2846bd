from datetime import date

import pytest

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus, CreditSource, DepositStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import Contract
from pawpact.billing.services.credit import SandboxCreditProvider, credit_record_staff_score
from pawpact.billing.services.signing import application_create, application_credit_check, contract_sign
from pawpact.core.errors import Conflict, PermissionDenied, ValidationFailed
from pawpact.customers.enums import IdVerification
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, customer_verify_id, pet_create
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, NOW, TODAY, phone_ending
from tests.consent import consented


def test_customer_phone_is_normalised_and_unique(in_shop, clock):
    customer = customer_create(name=" Han Meimei ", phone="+86 138-0013-8000", birth_date=ADULT_BIRTH_DATE, clock=clock)
    assert (customer.name, customer.phone, customer.id_verification) == (
        "Han Meimei", "13800138000", IdVerification.UNVERIFIED,
    )  # fmt: skip

    with pytest.raises(Conflict) as taken:
        customer_create(name="Someone else", phone="138 0013 8000", birth_date=ADULT_BIRTH_DATE, clock=clock)
    assert taken.value.code == "phone_taken"
    assert taken.value.fields == {"phone": ["This phone number is taken."]}
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("phone", ["", "12345", "12800138000", "1380013800", "138001380001", "phone", "+0123456789"])
def test_a_bad_phone_number_is_refused(in_shop, clock, phone):
    with pytest.raises(ValidationFailed) as refused:
        customer_create(name="Li", phone=phone, birth_date=ADULT_BIRTH_DATE, clock=clock)
    assert list(refused.value.fields) == ["phone"]
    assert Customer.objects.count() == 0


def test_international_numbers_are_accepted(in_shop, clock):
    assert customer_create(name="Chan", phone="+852 9123 4567", birth_date=ADULT_BIRTH_DATE, clock=clock).phone == (
        "+85291234567"
    )


def test_customer_name_and_birth_date_are_validated(in_shop, clock):
    with pytest.raises(ValidationFailed) as refused:
        customer_create(name="  ", phone="13800138000", birth_date=date(2026, 3, 17), clock=clock)
    assert sorted(refused.value.fields) == ["birth_date", "name"]
    assert Customer.objects.count() == 0


def test_a_user_account_belongs_to_one_customer(in_shop, clock):
    user = User.objects.create_user("adopter@alpha.test", "pw")
    customer_create(name="A", phone=phone_ending("001"), birth_date=ADULT_BIRTH_DATE, user=user, clock=clock)
    with pytest.raises(Conflict):
        customer_create(name="B", phone=phone_ending("002"), birth_date=ADULT_BIRTH_DATE, user=user, clock=clock)
    assert Customer.objects.count() == 1


def test_id_verification(in_shop):
    customer = customer_create(name="A", phone=phone_ending("003"), birth_date=ADULT_BIRTH_DATE)
    assert customer_verify_id(customer=customer, verified=True).id_verification == IdVerification.VERIFIED
    assert customer_verify_id(customer=customer, verified=False).id_verification == IdVerification.REJECTED
    customer.refresh_from_db()
    assert customer.id_verification == IdVerification.REJECTED


def test_pets(in_shop, clock):
    owner = customer_create(name="A", phone=phone_ending("004"), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=owner, name=" Mimi ", species="cat", breed="British Shorthair",
                     birthday=date(2025, 6, 1), adoption_date=date(2025, 9, 1), clock=clock)  # fmt: skip
    assert (pet.owner, pet.name, pet.species, pet.breed) == (owner, "Mimi", "cat", "British Shorthair")
    shop_pet = pet_create(name="Waiting", species="dog", clock=clock)
    assert shop_pet.owner is None

    with pytest.raises(ValidationFailed) as refused:
        pet_create(name="", species="dragon", birthday=date(2026, 4, 1), clock=clock)
    assert sorted(refused.value.fields) == ["birthday", "name", "species"]
    with pytest.raises(ValidationFailed) as refused:
        pet_create(name="Early", species="cat", birthday=date(2025, 6, 1), adoption_date=date(2025, 5, 1), clock=clock)
    assert refused.value.fields == {"adoption_date": ["A pet cannot be adopted before it is born."]}
    assert Pet.objects.count() == 2


@pytest.mark.parametrize(
    ("suffix", "score"), [("000", 350), ("001", 350), ("416", 599), ("417", 600), ("500", 650), ("999", 950)]
)
def test_sandbox_scores_come_from_the_last_three_digits_of_the_phone(in_shop, suffix, score):
    customer = Customer(name="A", phone=f"13900000{suffix}", birth_date=ADULT_BIRTH_DATE)
    report = SandboxCreditProvider().score(customer=customer)
    assert (report.score, report.source) == (score, CreditSource.SANDBOX)
    assert report.evidence == f"sandbox: phone ending {suffix} → {score}"


def _draft(basic, suffix: str) -> Contract:
    customer = customer_create(name="Adopter", phone=phone_ending(suffix), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=customer, name="Mimi", species="cat")
    return application_create(customer=customer, pet=pet, plan_version_id=basic.pk)


@pytest.mark.parametrize(
    ("suffix", "deposit", "status"),
    [("416", 50000, DepositStatus.DUE), ("417", 0, DepositStatus.WAIVED), ("000", 50000, DepositStatus.DUE)],
)
def test_the_deposit_rule(basic, clock, suffix, deposit, status):
    contract = application_credit_check(contract=consented(_draft(basic, suffix)), clock=clock)
    assert (contract.deposit_minor, contract.deposit_status, contract.credit_checked_at) == (deposit, status, NOW)


def test_staff_may_enter_a_score_with_evidence(basic, clock):
    staff = User.objects.create_user("staff@alpha.test", "pw", is_staff=True)
    contract = application_credit_check(contract=consented(_draft(basic, "000")), clock=clock)
    assert contract.deposit_status == DepositStatus.DUE

    contract = credit_record_staff_score(
        contract=contract, score=720, evidence="Zhima report #A-778, screenshot 3", staff=staff, clock=clock
    )

    contract.refresh_from_db()
    assert (contract.credit_score, contract.credit_source, contract.deposit_minor, contract.deposit_status) == (
        720, CreditSource.STAFF, 0, DepositStatus.WAIVED,
    )  # fmt: skip
    assert contract.credit_evidence == "Zhima report #A-778, screenshot 3 (entered by staff@alpha.test)"


def test_a_provider_check_never_replaces_a_staff_score(basic, clock):
    staff = User.objects.create_user("staff@alpha.test", "pw", is_staff=True)
    contract = credit_record_staff_score(
        contract=_draft(basic, "000"), score=720, evidence="Zhima report #A-778", staff=staff, clock=clock
    )

    with pytest.raises(IllegalTransition, match="A score entered by staff with evidence stands"):
        application_credit_check(contract=consented(contract), clock=clock)

    contract.refresh_from_db()
    assert (contract.credit_score, contract.credit_source, contract.deposit_status) == (
        720, CreditSource.STAFF, DepositStatus.WAIVED,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("score", "evidence", "fields"),
    [
        (349, "report", ["score"]),
        (951, "report", ["score"]),
        (True, "report", ["score"]),
        (700, "", ["evidence"]),
        (700, "   ", ["evidence"]),
        (100, "", ["evidence", "score"]),
    ],
)
def test_a_bad_staff_score_is_refused_and_nothing_changes(basic, clock, score, evidence, fields):
    staff = User.objects.create_user("staff@alpha.test", "pw", is_staff=True)
    contract = _draft(basic, "000")
    with pytest.raises(ValidationFailed) as refused:
        credit_record_staff_score(contract=contract, score=score, evidence=evidence, staff=staff, clock=clock)
    assert sorted(refused.value.fields) == fields
    contract.refresh_from_db()
    assert (contract.credit_score, contract.credit_checked_at, contract.deposit_status) == (None, None, "")


def test_only_staff_enter_scores(basic, clock):
    customer_user = User.objects.create_user("someone@alpha.test", "pw")
    contract = _draft(basic, "000")
    with pytest.raises(PermissionDenied):
        credit_record_staff_score(contract=contract, score=800, evidence="trust me", staff=customer_user, clock=clock)
    contract.refresh_from_db()
    assert contract.credit_score is None


def test_the_credit_decision_is_final_once_signed(basic, clock):
    contract = application_credit_check(contract=consented(_draft(basic, "999")), clock=clock)
    contract_sign(contract=contract, signer_name="Adopter", ip="203.0.113.7", user_agent="test", clock=clock)
    with pytest.raises(IllegalTransition):
        application_credit_check(contract=consented(contract), clock=clock)
    contract.refresh_from_db()
    assert (contract.status, contract.credit_score) == (ContractStatus.SIGNED, 950)
    assert TODAY == clock.today()
