"""The way out of a signed contract whose first debit failed while a deposit is held: the
customer (API or their plans page) or staff (the contract page) withdraw it, and the
deposit goes back through the rail with its journal. Someone else's contract is not found."""
import pytest
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus
from pawpact.billing.errors import PaymentFailed
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.billing.services import activation
from pawpact.sandbox.models import SandboxCharge
from pawpact.workspace.enums import Role
from tests.billing.debits.factories import token_set
from tests.billing.lifecycle.termination.helpers import assert_ledger_ok, customer_with_token, journal_lines, snapshot
from tests.billing.lifecycle.termination.states import contract_in
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user

DEPOSIT = 50000


def stuck(shop, traveller, customer) -> Contract:
    """Signed, deposit held, period 1 declined: not active, and no way to start it for now."""
    with schema_context(shop.schema_name):
        contract = contract_in(ContractStatus.SIGNED, traveller, customer=customer)
        activation._deposit_collect(contract=contract, clock=activation.default_clock)
        token_set(contract, "tok_insufficient_funds")
        contract.refresh_from_db()
        with pytest.raises(PaymentFailed):
            activation.contract_activate(contract=contract)
        contract.refresh_from_db()
        assert (contract.status, contract.deposit_status) == (ContractStatus.SIGNED, DepositStatus.HELD)
        assert DebitPeriod.objects.get(contract=contract, number=1).status == PeriodStatus.FAILED
    return contract


def assert_withdrawn_with_the_deposit_back(shop, contract) -> None:
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert (contract.status, contract.deposit_status) == (ContractStatus.WITHDRAWN, DepositStatus.REFUNDED)
        assert set(DebitPeriod.objects.filter(contract=contract).values_list("status", flat=True)) == {
            PeriodStatus.CANCELLED
        }
        uuid = contract.uuid
        assert journal_lines(contract) == [
            ("deposit.held", f"deposit.held:{uuid}", [("cash", DEPOSIT), ("deposits_held", -DEPOSIT)]),
            ("deposit.refunded", f"deposit.refunded:{uuid}", [("cash", -DEPOSIT), ("deposits_held", DEPOSIT)]),
        ]
        assert list(SandboxCharge.objects.filter(idempotency_key=f"deposit.refunded:{uuid}").values_list(
            "amount_minor", "outcome"
        )) == [(-DEPOSIT, "refunded")]  # fmt: skip
        assert_ledger_ok()


@pytest.fixture
def customer(shop):
    with schema_context(shop.schema_name):
        return customer_with_token()


def api(shop, token: str) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def test_the_customer_withdraws_it_over_the_api(shop, traveller, customer):
    owner, token = customer
    contract = stuck(shop, traveller, owner)
    client = api(shop, token)
    url = f"/api/v1/contracts/{contract.uuid}/withdraw"

    first = client.post(url, HTTP_IDEMPOTENCY_KEY="out-1")

    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["deposit_status"]) == ("withdrawn", "refunded")
    assert_withdrawn_with_the_deposit_back(shop, contract)
    before = snapshot_of(shop)
    replay = client.post(url, HTTP_IDEMPOTENCY_KEY="out-1")
    assert (replay.status_code, replay.json(), replay["Idempotent-Replayed"]) == (200, first.json(), "true")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="out-2")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    assert snapshot_of(shop) == before
    assert client.post(url).json()["code"] == "idempotency_key_required"


def snapshot_of(shop) -> dict:
    with schema_context(shop.schema_name):
        return snapshot()


def test_the_customer_withdraws_it_on_their_plans_page(shop, traveller, customer):
    owner, _token = customer
    contract = stuck(shop, traveller, owner)
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        browser.force_login(owner.user)
    page = browser.get("/my/plans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="/my/plans/{contract.uuid}/withdraw/"' in page

    done = browser.post(f"/my/plans/{contract.uuid}/withdraw/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert done.redirect_chain == [("/my/plans/", 302)]
    html = done.content.decode()
    assert "Your contract is withdrawn. Any deposit you paid is refunded." in html
    assert "Withdrawn" in html and f'action="/my/plans/{contract.uuid}/withdraw/"' not in html
    assert_withdrawn_with_the_deposit_back(shop, contract)


def test_staff_withdraw_it_from_the_contract_page(shop, traveller, customer):
    owner, _token = customer
    contract = stuck(shop, traveller, owner)
    office = client_for(shop, staff_user(shop, Role.OWNER))
    page = office.get(f"/manage/contracts/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = f"/manage/contracts/{contract.uuid}/withdraw/"
    assert f'action="{url}"' in page and "Withdraw the contract" in page

    done = office.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert done.redirect_chain == [(f"/manage/contracts/{contract.uuid}/#actions", 302)]
    assert "The contract is withdrawn; a held deposit is refunded." in done.content.decode()
    assert_withdrawn_with_the_deposit_back(shop, contract)
    # A clerk may look but not act.
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    before = snapshot_of(shop)
    assert clerk.post(url).status_code == 403
    assert snapshot_of(shop) == before


def test_someone_elses_contract_is_not_found(shop, traveller, customer):
    owner, _token = customer
    contract = stuck(shop, traveller, owner)
    with schema_context(shop.schema_name):
        stranger, stranger_token = customer_with_token()
    before = snapshot_of(shop)

    assert api(shop, stranger_token).post(
        f"/api/v1/contracts/{contract.uuid}/withdraw", HTTP_IDEMPOTENCY_KEY="x"
    ).status_code == 404  # fmt: skip
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        browser.force_login(stranger.user)
    assert browser.post(f"/my/plans/{contract.uuid}/withdraw/").status_code == 404
    assert browser.post(f"/my/plans/{contract.uuid}/cancel/").status_code == 404
    assert snapshot_of(shop) == before


def test_another_shops_token_does_not_reach_it(shop, other_shop, traveller, customer):
    owner, _token = customer
    contract = stuck(shop, traveller, owner)
    with schema_context(other_shop.schema_name):
        _other, other_token = customer_with_token()
    before = snapshot_of(shop)

    url = f"/api/v1/contracts/{contract.uuid}/withdraw"
    response = api(other_shop, other_token).post(url, HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 404
    # The token of the other shop is unknown on this shop's host.
    assert api(shop, other_token).post(
        f"/api/v1/contracts/{contract.uuid}/withdraw", HTTP_IDEMPOTENCY_KEY="y"
    ).status_code == 401  # fmt: skip
    assert snapshot_of(shop) == before
