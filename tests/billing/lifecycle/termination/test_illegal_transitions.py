"""Every move the contract state machine does not allow, tried through the service that
makes it: refused with IllegalTransition (409, code illegal_transition), nothing written,
no money moved. The contract in each state is reached through the real services."""
import pytest

from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.contract_state import CONTRACT_TRANSITIONS
from pawpact.billing.services.signing import contract_sign
from pawpact.billing.services.termination import (
    contract_cancel_cooling_off,
    contract_close_for_shop,
    contract_complete,
    contract_default,
    contract_terminate_pet_loss,
    termination_quote,
)
from pawpact.billing.services.withdrawal import contract_withdraw
from tests.billing.lifecycle.termination.helpers import snapshot
from tests.billing.lifecycle.termination.states import contract_in

pytestmark = pytest.mark.usefixtures("in_shop")

# The service that moves a contract into each state (none moves one back to draft).
SERVICES = {
    ContractStatus.SIGNED: lambda c: contract_sign(contract=c, signer_name="Zhao", ip="203.0.113.9", user_agent="t"),
    ContractStatus.ACTIVE: lambda c: contract_activate(contract=c),
    ContractStatus.COMPLETED: lambda c: contract_complete(contract=c),
    ContractStatus.TERMINATED_EARLY: lambda c: termination_quote(contract=c),
    ContractStatus.TERMINATED_PET_LOSS: lambda c: contract_terminate_pet_loss(
        contract=c, evidence_note="Died of FIP, vet's certificate attached."
    ),
    ContractStatus.CANCELLED_COOLING_OFF: lambda c: contract_cancel_cooling_off(contract=c),
    ContractStatus.DEFAULTED: lambda c: contract_default(contract=c),
    ContractStatus.WITHDRAWN: lambda c: contract_withdraw(contract=c),
}
ILLEGAL = [
    (current, target)
    for current in ContractStatus
    for target in SERVICES
    if target not in CONTRACT_TRANSITIONS.get(current, frozenset())
]


def test_every_state_but_draft_has_its_service_and_no_move_leads_back_to_draft():
    assert set(SERVICES) == set(ContractStatus) - {ContractStatus.DRAFT}
    assert all(ContractStatus.DRAFT not in targets for targets in CONTRACT_TRANSITIONS.values())
    assert len(ILLEGAL) == 9 * 8 - 9  # every pair but the nine legal moves


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{c}->{t}" for c, t in ILLEGAL])
def test_an_illegal_move_is_a_409_that_changes_nothing(traveller, current, target):
    contract = contract_in(current, traveller)
    before = snapshot()

    with pytest.raises(IllegalTransition) as refused:
        SERVICES[target](contract)

    assert (refused.value.code, refused.value.http_status) == ("illegal_transition", 409)
    assert snapshot() == before
    contract.refresh_from_db()
    assert contract.status == current


def test_a_shop_closure_leaves_ended_contracts_alone(traveller):
    contract = contract_in(ContractStatus.COMPLETED, traveller)
    before = snapshot()

    with pytest.raises(IllegalTransition):
        contract_close_for_shop(contract=contract)
    assert snapshot() == before
