"""A declined top-up or paid membership answers `payment_declined` with its `decline_code`
under the field sent; its Idempotency-Key keeps that answer (the same body replays it,
another body is `idempotency_key_reused` and charges nothing); a new key with a working
method succeeds; another shop sees none of it."""
import uuid

import pytest
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import MALL_ITEM, PAID_PLAN, PAYMENT_METHOD, opaque_id
from pawpact.billing.models import Journal
from pawpact.customers.models import Customer
from pawpact.loyalty.models import Membership, TopUp
from pawpact.loyalty.paid_models import PaidMembership
from pawpact.loyalty.points import EarnEvent, points_events_apply
from pawpact.loyalty.wallet_models import MallItem
from pawpact.sandbox.models import SandboxCharge
from tests.loyalty.conftest import NOW
from tests.loyalty.paid_helpers import method, plan
from tests.loyalty.test_coupon_api import api, login
from tests.storefront.test_my_plans import customer_with_login

pytestmark = pytest.mark.django_db
HARD = "declined by the bank; use another payment method"


def _charges(shop) -> list[tuple[int, str]]:
    rows = SandboxCharge.objects.filter(shop_schema=shop.schema_name).order_by("id")
    return list(rows.values_list("amount_minor", "outcome"))


def _setup(shop):
    with schema_context(shop.schema_name):
        customer = customer_with_login(shop)
        ids = {name: opaque_id(PAYMENT_METHOD, method(customer, token).pk, schema_name=shop.schema_name)
               for name, token in (("hard", "tok_hard_decline"), ("good", "tok_success"))}  # fmt: skip
        return api(shop, login(customer)), ids


def _retry_rule(client, path: str, declined_body: dict, working_body: dict) -> dict:
    """Decline with key K, then K with another body, then K with the same body; returns the decline."""
    first = client.post(path, declined_body, format="json", HTTP_IDEMPOTENCY_KEY="K")
    assert first.status_code == 422, first.json()
    other = client.post(path, working_body, format="json", HTTP_IDEMPOTENCY_KEY="K")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    again = client.post(path, declined_body, format="json", HTTP_IDEMPOTENCY_KEY="K")
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (422, first.json(), "true")
    return first.json()


def test_a_declined_top_up_keeps_its_key_and_a_new_key_pays(shop, other_shop):
    client, ids = _setup(shop)
    declined = _retry_rule(client, "/api/v1/stored-value/top-ups", {"amount_minor": 1_000, "payment_method_id": ids["hard"]},
                           {"amount_minor": 1_000, "payment_method_id": ids["good"]})  # fmt: skip
    assert declined == {"code": "payment_declined", "decline_code": "hard_decline",
                        "message": f"The payment failed ({HARD}); nothing was kept.",
                        "fields": {"payment_method_id": [HARD]}}  # fmt: skip
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(1_000, "hard_decline")]
        assert TopUp.objects.filter(status="paid").count() == 0
        assert not Journal.objects.filter(kind="stored_value.topup").exists()
    paid = client.post("/api/v1/stored-value/top-ups", {"amount_minor": 1_000, "payment_method_id": ids["good"]},
                       format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert (paid.status_code, paid.json()["status"]) == (201, "paid")
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(1_000, "hard_decline"), (1_000, "succeeded")]
    with schema_context(other_shop.schema_name):
        assert TopUp.objects.count() == 0 and _charges(other_shop) == []


def test_a_declined_paid_membership_keeps_its_key_and_a_new_key_joins(shop):
    with schema_context(shop.schema_name):
        plan_id = opaque_id(PAID_PLAN, plan(990).pk, schema_name=shop.schema_name)
    client, ids = _setup(shop)
    declined = _retry_rule(client, "/api/v1/paid-membership", {"plan_id": plan_id, "payment_method_id": ids["hard"]},
                           {"plan_id": plan_id, "payment_method_id": ids["good"]})  # fmt: skip
    assert (declined["code"], declined["decline_code"], declined["fields"]) == (
        "payment_declined", "hard_decline", {"payment_method_id": [HARD]})
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(990, "hard_decline")]
        assert not PaidMembership.objects.filter(status="active").exists()
    joined = client.post("/api/v1/paid-membership", {"plan_id": plan_id, "payment_method_id": ids["good"]},
                         format="json", HTTP_IDEMPOTENCY_KEY="K2")  # fmt: skip
    assert (joined.status_code, joined.json()["status"]) == (201, "active")
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(990, "hard_decline"), (990, "succeeded")]


def test_a_refusal_before_any_charge_keeps_nothing_so_the_key_is_reused(shop):
    client, ids = _setup(shop)
    bad = client.post("/api/v1/stored-value/top-ups", {"amount_minor": 0, "payment_method_id": ids["good"]},
                      format="json", HTTP_IDEMPOTENCY_KEY="K")  # fmt: skip
    assert bad.status_code == 400
    fixed = client.post("/api/v1/stored-value/top-ups", {"amount_minor": 500, "payment_method_id": ids["good"]},
                        format="json", HTTP_IDEMPOTENCY_KEY="K")  # fmt: skip
    assert (fixed.status_code, fixed.json()["status"]) == (201, "paid")
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(500, "succeeded")]


@pytest.mark.usefixtures("traveller")
def test_a_declined_mall_redemption_keeps_its_key_and_gives_points_and_stock_back(shop):
    client, ids = _setup(shop)
    with schema_context(shop.schema_name):
        person = Customer.objects.latest("id")
        points_events_apply(events=[EarnEvent(source_key="mall:1", source_event="test", customer_id=person.pk,
                                              base_points=1_000, occurred_at=NOW)])  # fmt: skip
        item_id = opaque_id(MALL_ITEM, MallItem.objects.create(name="Bowl", points=300, cash_minor=1_500, stock=2).pk,
                            schema_name=shop.schema_name)  # fmt: skip
    declined = _retry_rule(client, "/api/v1/mall/redemptions", {"item_id": item_id, "payment_method_id": ids["hard"]},
                           {"item_id": item_id, "payment_method_id": ids["good"]})  # fmt: skip
    assert (declined["code"], declined["decline_code"], declined["fields"]) == (
        "payment_declined", "hard_decline", {"payment_method_id": [HARD]})
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(1_500, "hard_decline")]
        assert Membership.objects.get(customer=person).points_balance == 1_000
        assert MallItem.objects.get().stock == 2
    redeemed = client.post("/api/v1/mall/redemptions", {"item_id": item_id, "payment_method_id": ids["good"]},
                           format="json", HTTP_IDEMPOTENCY_KEY="K2")  # fmt: skip
    assert (redeemed.status_code, redeemed.json()["status"]) == (201, "redeemed")
    with schema_context(shop.schema_name):
        assert _charges(shop) == [(1_500, "hard_decline"), (1_500, "succeeded")]
        assert Membership.objects.get(customer=person).points_balance == 700
