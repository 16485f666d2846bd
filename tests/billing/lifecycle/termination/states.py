"""A contract in each state of the contract state machine, reached through the real
services (never by writing the status), for the tests of every move the machine refuses."""
from datetime import date

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.billing.services import signing
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.termination import (
    contract_cancel_cooling_off,
    contract_complete,
    contract_default,
    contract_terminate_pet_loss,
    termination_execute,
    termination_quote,
)
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create, pet_create
from tests.billing.lifecycle.termination import helpers
from tests.billing.lifecycle.termination.helpers import LOW, adopt, beijing, collect_through, plan_version
from tests.consent import consented

AFTER_COOLING_OFF = date(2026, 3, 20)


def _draft(customer: Customer | None) -> Contract:
    if customer is None:
        n = next(helpers._phones)
        customer = customer_create(name=f"Zhao Lei {n}", phone=f"137{n:05d}{LOW}", birth_date=date(1990, 1, 1))
    pet = pet_create(owner=customer, name="Dou", species="dog")
    return signing.application_create(customer=customer, pet=pet, plan_version_id=plan_version("basic").pk)


def _signed(customer: Customer | None) -> Contract:
    contract = _draft(customer)
    signing.application_credit_check(contract=consented(contract))
    contract = signing.contract_sign(
        contract=contract, signer_name=contract.customer.name, ip="203.0.113.9", user_agent="pytest"
    )
    method = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
    return signing.contract_attach_payment_method(contract=contract, payment_method=method)


def contract_in(status: str, traveller, *, customer: Customer | None = None) -> Contract:
    """A contract of `customer` (or a new one) moved into `status` by the services."""
    if status == ContractStatus.DRAFT:
        return _draft(customer)
    if status == ContractStatus.SIGNED:
        return _signed(customer)
    if status == ContractStatus.WITHDRAWN:
        return contract_withdraw(contract=_draft(customer))
    contract = adopt(suffix=LOW, customer=customer)
    if status == ContractStatus.CANCELLED_COOLING_OFF:
        contract_cancel_cooling_off(contract=contract)
    elif status == ContractStatus.TERMINATED_PET_LOSS:
        contract_terminate_pet_loss(contract=contract, evidence_note="Lost on a walk, police report 42.")
    elif status == ContractStatus.TERMINATED_EARLY:
        traveller.move_to(beijing(AFTER_COOLING_OFF))
        termination_execute(quote=termination_quote(contract=contract))
    elif status == ContractStatus.DEFAULTED:
        contract_default(contract=contract)
    elif status == ContractStatus.COMPLETED:
        collect_through(contract, contract.periods, traveller)
        contract_complete(contract=contract)
    contract.refresh_from_db()
    assert contract.status == status
    return contract
