"""Activation's declines and unknown outcomes: `payment_declined` with `decline_code` (and
`payment_failed` for callers pinned to 2026-12-01), an unknown outcome `payment_pending` that
is not kept under the key (a retry asks the provider again), nothing charged twice."""
from datetime import date

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract
from pawpact.billing.services.dunning import contract_payment_method_replace
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.sandbox.models import SandboxCharge
from tests.api.test_billing_api import activate, api, attach, contract_url, draft, error, frozen_time, ok, signed, staff  # noqa: F401
from tests.billing.lifecycle.termination.helpers import NOW, adopt, beijing, collect_through, customer_with_token

pytestmark = pytest.mark.django_db


def _charges(shop) -> list[str]:
    return list(SandboxCharge.objects.filter(shop_schema=shop.schema_name).order_by("id").values_list("outcome", flat=True))


def test_a_caller_pinned_to_2026_12_01_keeps_payment_failed(shop, staff):
    uuid = draft(staff)["uuid"]
    signed(staff, uuid)
    ok(attach(staff, uuid, token="tok_hard_decline"))
    old = staff.post(contract_url(uuid, "activate"), HTTP_IDEMPOTENCY_KEY="old", HTTP_PAWPACT_VERSION="2026-12-01")
    assert (old.status_code, old.json()["code"], old.json()["decline_code"]) == (422, "payment_failed", "hard_decline")
    new = error(activate(staff, uuid, key="new"), 422)
    assert (new["code"], new["decline_code"]) == ("payment_declined", "hard_decline")
    assert _charges(shop) == ["hard_decline", "hard_decline"]  # a new key is a new attempt


def test_an_unknown_outcome_is_payment_pending_and_a_retry_asks_again(shop, other_shop, staff):
    uuid = draft(staff)["uuid"]
    signed(staff, uuid)
    ok(attach(staff, uuid, token="tok_network_error"))
    pending = error(activate(staff, uuid, key="P"), 409)
    assert pending["code"] == "payment_pending"
    assert pending["message"].startswith("The payment provider has not answered yet, so the payment is pending")
    assert pending["fields"] == {"non_field_errors": ["The outcome of this payment is not known yet."]}
    retried = activate(staff, uuid, key="P")
    assert retried.status_code == 409 and not retried.has_header("Idempotent-Replayed")
    with schema_context(shop.schema_name):
        assert Contract.objects.get(uuid=uuid).status == "signed" and _charges(shop) == []
    with schema_context(other_shop.schema_name):
        assert not Contract.objects.filter(uuid=uuid).exists()


def test_a_declined_penalty_keeps_its_key_and_another_method_pays_under_a_new_one(shop):
    with time_machine.travel(NOW, tick=False) as traveller:
        with schema_context(shop.schema_name):
            customer, token = customer_with_token()
            contract = adopt(customer=customer)
            collect_through(contract, 3, traveller)
            traveller.move_to(beijing(date(2026, 5, 20)))
            contract_payment_method_replace(contract=contract, payment_method=payment_method_attach(
                customer=customer, rail="sandbox", token="tok_insufficient_funds"))  # fmt: skip
        client = api(shop, token)
        quote = ok(client.post(f"/api/v1/contracts/{contract.uuid}/termination-quote"), 201)
        execute = f"/api/v1/termination-quotes/{quote['id']}/execute"
        refused = error(client.post(execute, HTTP_IDEMPOTENCY_KEY="exit"), 422)
        assert (refused["code"], refused["decline_code"]) == ("payment_declined", "insufficient_funds")
        replayed = client.post(execute, HTTP_IDEMPOTENCY_KEY="exit")
        assert (replayed.status_code, replayed.json(), replayed["Idempotent-Replayed"]) == (422, refused, "true")
        other = client.post(f"/api/v1/contracts/{contract.uuid}/termination-quote", HTTP_IDEMPOTENCY_KEY="exit")
        assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
        with schema_context(shop.schema_name):
            # The penalty is charged inside the termination's transaction, so the sandbox's record of
            # a decline is rolled back with it: only the charge that went through is left to count.
            penalties = SandboxCharge.objects.filter(idempotency_key__startswith=f"penalty:{contract.uuid}")
            assert not penalties.exists() and Contract.objects.get(pk=contract.pk).status == "active"
            contract_payment_method_replace(contract=contract, payment_method=payment_method_attach(
                customer=customer, rail="sandbox", token="tok_success"))  # fmt: skip
        done = client.post(execute, HTTP_IDEMPOTENCY_KEY="exit-2")
        assert done.status_code == 200, done.json()
        with schema_context(shop.schema_name):
            assert list(penalties.values_list("outcome", "amount_minor")) == [("succeeded", quote["penalty_minor"])]
            assert Contract.objects.get(pk=contract.pk).status != "active"
