"""Activation's declines and unknown outcomes: `payment_declined` with `decline_code` (and
`payment_failed` for callers pinned to 2026-12-01), an unknown outcome `payment_pending` that
is not kept under the key (a retry asks the provider again), nothing charged twice."""
import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract
from pawpact.sandbox.models import SandboxCharge
from tests.api.test_billing_api import activate, attach, contract_url, draft, error, frozen_time, ok, signed, staff  # noqa: F401

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
