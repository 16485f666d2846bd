"""The lifecycle transition map, withdrawal of contracts that never started, and the
refusals that write nothing."""
from datetime import date

import pytest

from pawpact.billing.enums import AttemptStatus, ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import DebitInFlight, IllegalTransition, PaymentFailed
from pawpact.billing.models import DebitAttempt, DebitPeriod
from pawpact.billing.services import activation, signing
from pawpact.billing.services.contract_state import CONTRACT_TRANSITIONS, contract_transition_check
from pawpact.billing.services.debits import attempt_key
from pawpact.billing.services.exit_money import OUTBOX_REASONS
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.termination import (
    EXIT_STATUS,
    contract_cancel_cooling_off,
    contract_terminate_pet_loss,
)
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.customers.services import customer_create, pet_create
from pawpact.sandbox.models import SandboxCharge
from tests.billing.debits.factories import token_set
from tests.billing.lifecycle.termination.helpers import (
    adopt,
    beijing,
    journal_lines,
    plan_version,
    snapshot,
    terminated_events,
)
from tests.consent import consented

pytestmark = pytest.mark.usefixtures("in_shop")

ENDED = (
    ContractStatus.COMPLETED,
    ContractStatus.TERMINATED_EARLY,
    ContractStatus.TERMINATED_PET_LOSS,
    ContractStatus.CANCELLED_COOLING_OFF,
    ContractStatus.DEFAULTED,
    ContractStatus.WITHDRAWN,
)


def test_the_map_is_explicit():
    assert CONTRACT_TRANSITIONS == {
        ContractStatus.DRAFT: {ContractStatus.SIGNED, ContractStatus.WITHDRAWN},
        ContractStatus.SIGNED: {ContractStatus.ACTIVE, ContractStatus.WITHDRAWN},
        ContractStatus.ACTIVE: {
            ContractStatus.COMPLETED,
            ContractStatus.TERMINATED_EARLY,
            ContractStatus.TERMINATED_PET_LOSS,
            ContractStatus.CANCELLED_COOLING_OFF,
            ContractStatus.DEFAULTED,
        },
    }
    # Every exit kind has a legal target from ACTIVE and an outbox reason.
    assert set(EXIT_STATUS) == set(TerminationKind) == set(OUTBOX_REASONS)
    assert set(EXIT_STATUS.values()) <= CONTRACT_TRANSITIONS[ContractStatus.ACTIVE]


@pytest.mark.parametrize("current", ENDED)
@pytest.mark.parametrize("target", [*ENDED, ContractStatus.ACTIVE])
def test_an_ended_contract_goes_nowhere(current, target):
    with pytest.raises(IllegalTransition):
        contract_transition_check(current=current, target=target)


def _signed_with_deposit(token: str = "tok_success"):
    customer = customer_create(name="Li Lei", phone="13912345000", birth_date=date(1990, 1, 1))
    pet = pet_create(owner=customer, name="Dou", species="dog")
    contract = signing.application_create(customer=customer, pet=pet, plan_version_id=plan_version("basic").pk)
    signing.application_credit_check(contract=consented(contract))  # "…000": score 350, deposit due
    contract = signing.contract_sign(contract=contract, signer_name="Li Lei", ip="203.0.113.9", user_agent="pytest")
    method = payment_method_attach(customer=customer, rail="sandbox", token=token)
    return signing.contract_attach_payment_method(contract=contract, payment_method=method), pet


def test_a_signed_contract_whose_first_debit_failed_is_withdrawn_and_its_deposit_refunded(traveller):
    contract, pet = _signed_with_deposit()
    # The deposit goes through, then the customer's account runs dry before period 1.
    original = contract.payment_method.token
    activation._deposit_collect(contract=contract, clock=activation.default_clock)
    token_set(contract, "tok_insufficient_funds")
    contract.refresh_from_db()
    with pytest.raises(PaymentFailed):
        activation.contract_activate(contract=contract)
    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.SIGNED, DepositStatus.HELD)

    withdrawn = contract_withdraw(contract=contract)

    assert (withdrawn.status, withdrawn.deposit_status) == (ContractStatus.WITHDRAWN, DepositStatus.REFUNDED)
    assert set(DebitPeriod.objects.filter(contract=contract).values_list("status", flat=True)) == {PeriodStatus.CANCELLED}
    assert journal_lines(contract) == [
        ("deposit.held", f"deposit.held:{contract.uuid}", [("cash", 50000), ("deposits_held", -50000)]),
        ("deposit.refunded", f"deposit.refunded:{contract.uuid}", [("cash", -50000), ("deposits_held", 50000)]),
    ]
    assert sum(SandboxCharge.objects.filter(token=original).values_list("amount_minor", flat=True)) == 0
    assert terminated_events(contract) == []  # the platform never saw it start
    # The pet is free for a new application.
    fresh = signing.application_create(customer=contract.customer, pet=pet, plan_version_id=plan_version("basic").pk)
    assert fresh.status == ContractStatus.DRAFT

    before = snapshot()
    with pytest.raises(IllegalTransition):
        contract_withdraw(contract=contract)
    assert snapshot() == before


def test_a_draft_is_withdrawn_without_money(traveller):
    customer = customer_create(name="Han Mei", phone="13912345001", birth_date=date(1990, 1, 1))
    pet = pet_create(owner=customer, name="Bao", species="cat")
    contract = signing.application_create(customer=customer, pet=pet, plan_version_id=plan_version("basic").pk)

    assert contract_withdraw(contract=contract).status == ContractStatus.WITHDRAWN
    assert journal_lines(contract) == []


def test_an_active_contract_cannot_be_withdrawn(traveller):
    contract = adopt()
    before = snapshot()

    with pytest.raises(IllegalTransition):
        contract_withdraw(contract=contract)
    assert snapshot() == before


def test_an_exit_waits_for_a_debit_in_flight(traveller):
    contract = adopt()
    traveller.move_to(beijing(contract.activated_at.date().replace(month=4, day=10)))
    period = DebitPeriod.objects.get(contract=contract, number=2)
    DebitAttempt.objects.create(
        period=period, number=1, idempotency_key=attempt_key(contract=contract, period_number=2, attempt_number=1),
        rail="sandbox", amount_minor=period.amount_minor, status=AttemptStatus.STARTED,
    )  # fmt: skip
    before = snapshot()

    with pytest.raises(DebitInFlight) as refused:
        contract_terminate_pet_loss(contract=contract, evidence_note="Died of FIP on 18 April.")
    assert refused.value.http_status == 409
    assert snapshot() == before


def test_cooling_off_after_pet_loss_is_refused(traveller):
    contract = adopt()
    contract_terminate_pet_loss(contract=contract, evidence_note="Died of FIP on 18 March.")
    before = snapshot()

    with pytest.raises(IllegalTransition) as refused:
        contract_cancel_cooling_off(contract=contract)
    assert refused.value.code == "illegal_transition"
    assert snapshot() == before
