"""Every move the contract state machine refuses, tried as an outside client would: through
the REST API (the customer's own token) and through the pages (the customer's plan pages,
the staff workspace's contract page). Each answers 409; the API in the one error shape with
the code illegal_transition, the pages with the service's message; nothing is written."""
import pytest
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.billing.enums import ContractStatus
from pawpact.billing.services.contract_state import CONTRACT_TRANSITIONS
from pawpact.workspace.enums import Role
from tests.billing.lifecycle.termination.helpers import customer_with_token, snapshot
from tests.billing.lifecycle.termination.states import contract_in
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user

# The API operation that moves a contract into each state a client may ask for.
API_MOVES = {
    ContractStatus.SIGNED: ("sign", {"signer_name": "Zhao Lei"}),
    ContractStatus.ACTIVE: ("activate", None),
    ContractStatus.TERMINATED_EARLY: ("termination-quote", None),
    ContractStatus.TERMINATED_PET_LOSS: ("pet-loss", {"evidence_note": "Lost on a walk, police report 42."}),
    ContractStatus.CANCELLED_COOLING_OFF: ("cooling-off-cancel", None),
    ContractStatus.WITHDRAWN: ("withdraw", None),
}


def _illegal(moves: dict) -> list[tuple[str, str]]:
    return [
        (current, target)
        for current in ContractStatus
        for target in moves
        if target not in CONTRACT_TRANSITIONS.get(current, frozenset())
    ]


API_ILLEGAL = _illegal(API_MOVES)
# The customer's pages: withdraw (plans page), end the plan (its own page, quote first).
PAGE_MOVES = {ContractStatus.WITHDRAWN: ("withdraw", {}), ContractStatus.TERMINATED_EARLY: ("end", {"quote": ""})}
PAGE_ILLEGAL = _illegal(PAGE_MOVES)
# The staff workspace's contract actions.
STAFF_MOVES = {
    ContractStatus.WITHDRAWN: ("withdraw", {}),
    ContractStatus.CANCELLED_COOLING_OFF: ("cooling-off", {}),
    ContractStatus.TERMINATED_EARLY: ("quote", {}),
    ContractStatus.TERMINATED_PET_LOSS: ("pet-loss", {"evidence_note": "Lost on a walk, police report 42."}),
}
STAFF_ILLEGAL = _illegal(STAFF_MOVES)


def _state(shop) -> dict:
    with schema_context(shop.schema_name):
        return snapshot()


@pytest.fixture
def customer(shop):
    with schema_context(shop.schema_name):
        return customer_with_token()


def _contract(shop, traveller, status, customer):
    with schema_context(shop.schema_name):
        return contract_in(status, traveller, customer=customer)


@pytest.mark.parametrize(("current", "target"), API_ILLEGAL, ids=[f"{c}->{t}" for c, t in API_ILLEGAL])
def test_the_api_answers_409_illegal_transition_and_writes_nothing(shop, traveller, customer, current, target):
    owner, token = customer
    contract = _contract(shop, traveller, current, owner)
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    operation, body = API_MOVES[target]
    before = _state(shop)

    response = client.post(
        f"/api/v1/contracts/{contract.uuid}/{operation}", body, format="json", HTTP_IDEMPOTENCY_KEY="move-1"
    )

    assert response.status_code == 409, response.content
    answer = response.json()
    assert (set(answer), answer["code"], answer["fields"]) == ({"code", "message", "fields"}, "illegal_transition", {})
    assert answer["message"]
    assert _state(shop) == before


def _page_client(shop, customer) -> Client:
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        browser.force_login(customer.user)
    return browser


@pytest.mark.parametrize(("current", "target"), PAGE_ILLEGAL, ids=[f"{c}->{t}" for c, t in PAGE_ILLEGAL])
def test_the_customers_pages_answer_409_with_the_reason_and_write_nothing(shop, traveller, customer, current, target):
    owner, _token = customer
    contract = _contract(shop, traveller, current, owner)
    browser = _page_client(shop, owner)
    operation, body = PAGE_MOVES[target]
    before = _state(shop)

    response = browser.post(f"/my/plans/{contract.uuid}/{operation}/", body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    html = response.content.decode()
    assert "A contract that is" in html and "cannot become" in html
    assert "illegal_transition" not in html  # a message, never a code
    assert _state(shop) == before


@pytest.mark.parametrize(("current", "target"), STAFF_ILLEGAL, ids=[f"{c}->{t}" for c, t in STAFF_ILLEGAL])
def test_the_staff_contract_page_answers_409_and_writes_nothing(shop, traveller, customer, current, target):
    owner, _token = customer
    contract = _contract(shop, traveller, current, owner)
    office = client_for(shop, staff_user(shop, Role.OWNER))
    action, body = STAFF_MOVES[target]
    before = _state(shop)

    response = office.post(f"/manage/contracts/{contract.uuid}/{action}/", body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    html = response.content.decode()
    assert '<li class="error" role="alert">' in html and "cannot become" in html
    assert _state(shop) == before


PAST_SIGNING = [ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.WITHDRAWN]


@pytest.mark.parametrize("current", PAST_SIGNING)
def test_the_workspace_signing_steps_refuse_a_contract_past_them_with_409(shop, traveller, customer, current):
    owner, _token = customer
    contract = _contract(shop, traveller, current, owner)
    office = client_for(shop, staff_user(shop, Role.OWNER))
    before = _state(shop)

    credit = office.post(f"/manage/signings/{contract.uuid}/credit/", {"action": "check"}, HTTP_ACCEPT_LANGUAGE="en")
    link = office.post(f"/manage/signings/{contract.uuid}/link/", HTTP_ACCEPT_LANGUAGE="en")

    assert (credit.status_code, link.status_code) == (409, 409)
    assert "cannot change" in credit.content.decode()
    assert "This contract is no longer waiting for the customer." in link.content.decode()
    assert _state(shop) == before
