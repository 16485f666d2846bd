"""The customer's referral code, points mall and stored value over the API: Idempotency-Key,
the error shape, nothing written on a refusal, nothing of one shop reachable from another."""
import uuid

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import MALL_ITEM, PAYMENT_METHOD, opaque_id
from pawpact.billing.models import Journal
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.loyalty import referrals
from pawpact.loyalty.models import GiftRule, Membership, StoredValueMovement, TopUp
from pawpact.loyalty.points import EarnEvent, points_events_apply
from pawpact.loyalty.wallet_models import MallItem, Redemption, Referral
from tests.billing.lifecycle.termination.helpers import customer_with_token
from tests.conftest import host_of
from tests.loyalty.conftest import NOW, member

pytestmark = pytest.mark.usefixtures("traveller")


def client(shop, token):
    api = APIClient(HTTP_HOST=host_of(shop))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def post(api, path, body, key=None):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


@pytest.fixture
def customer(shop):
    with schema_context(shop.schema_name):
        person, token = customer_with_token()
        method = payment_method_attach(customer=person, rail="sandbox", token="tok_success")
        GiftRule.objects.create(threshold_minor=100_000, gift_minor=10_000)
    return person, client(shop, token), method


def test_top_up_balance_and_movements(shop, customer):
    person, api, method = customer
    key = str(uuid.uuid4())
    created = post(api, "/api/v1/stored-value/top-ups", {"amount_minor": 100_000, "payment_method_id": opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)}, key)
    assert created.status_code == 201, created.json()
    assert (created.json()["amount_minor"], created.json()["gift_minor"], created.json()["status"]) == (100_000, 10_000, "paid")
    replay = post(api, "/api/v1/stored-value/top-ups", {"amount_minor": 100_000, "payment_method_id": opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)}, key)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    balance = api.get("/api/v1/stored-value").json()
    assert balance == {"object": "stored_value", "paid_minor": 100_000, "gift_minor": 10_000, "total_minor": 110_000,
                       "refundable_minor": 100_000, "currency": "CNY", "refund_to": [
                           {"destination": "sandbox", "label": "Back to the test payment method", "amount_minor": 100_000}]}  # fmt: skip
    moves = api.get("/api/v1/stored-value/movements").json()["results"]
    assert [(m["kind"], m["paid_minor"], m["gift_minor"]) for m in moves] == [("topup", 100_000, 10_000)]
    with schema_context(shop.schema_name):
        assert TopUp.objects.count() == 1 and StoredValueMovement.objects.count() == 1


@pytest.mark.parametrize("body", [{"amount_minor": 0}, {"amount_minor": 100.5}, {"amount_minor": "100"},
                                  {"amount_minor": -1}, {"amount_minor": 5_000_001}])  # fmt: skip
def test_a_bad_top_up_is_400_and_writes_nothing(shop, customer, body):
    _person, api, method = customer
    refused = post(api, "/api/v1/stored-value/top-ups", {**body, "payment_method_id": opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert "amount_minor" in refused.json()["fields"]
    with schema_context(shop.schema_name):
        assert TopUp.objects.count() == 0 and not Journal.objects.filter(kind="stored_value.topup").exists()


def test_someone_elses_payment_method_is_404(shop, customer):
    _person, api, _method = customer
    with schema_context(shop.schema_name):
        theirs = payment_method_attach(customer=member(), rail="sandbox", token="tok_success")
    refused = post(api, "/api/v1/stored-value/top-ups", {"amount_minor": 1_000, "payment_method_id": opaque_id(PAYMENT_METHOD, theirs.pk, schema_name=shop.schema_name)})
    assert refused.status_code == 404 and refused.json()["fields"] == {"payment_method_id": ["Not one of yours."]}
    with schema_context(shop.schema_name):
        assert TopUp.objects.count() == 0


def test_redeem_and_beyond_the_balance(shop, customer):
    person, api, _method = customer
    with schema_context(shop.schema_name):
        points_events_apply(events=[EarnEvent(source_key="api:1", source_event="test", customer_id=person.pk,
                                              base_points=1_000, occurred_at=NOW)])  # fmt: skip
        item = MallItem.objects.create(name="Toy", points=600, stock=3)
    assert [i["name"] for i in api.get("/api/v1/mall/items").json()["results"]] == ["Toy"]
    done = post(api, "/api/v1/mall/redemptions", {"item_id": opaque_id(MALL_ITEM, item.pk, schema_name=shop.schema_name)})
    assert done.status_code == 201 and done.json()["status"] == "redeemed" and done.json()["points"] == 600
    refused = post(api, "/api/v1/mall/redemptions", {"item_id": opaque_id(MALL_ITEM, item.pk, schema_name=shop.schema_name)})
    assert (refused.status_code, refused.json()["code"]) == (422, "insufficient_points")
    with schema_context(shop.schema_name):
        assert Membership.objects.get(customer=person).points_balance == 400
        assert MallItem.objects.get(pk=item.pk).stock == 2 and Redemption.objects.count() == 1
    assert len(api.get("/api/v1/mall/redemptions").json()["results"]) == 1


def test_referral_code_and_claims(shop, customer):
    person, api, _method = customer
    mine = api.get("/api/v1/referral").json()
    assert len(mine["code"]) == 8 and mine["share_url"].endswith(f"/join/{mine['code']}/") and mine["referred"] == 0
    refused = post(api, "/api/v1/referral/claim", {"code": mine["code"]})
    assert (refused.status_code, refused.json()["code"]) == (422, "referral_refused")
    with schema_context(shop.schema_name):
        friend_code = referrals.code_for(customer=member()).code
    claimed = post(api, "/api/v1/referral/claim", {"code": friend_code})
    assert claimed.status_code == 201 and claimed.json()["deposit_discount_minor"] == 20_000
    with schema_context(shop.schema_name):
        assert Referral.objects.get().referred_id == person.pk


def test_nothing_crosses_shops(shop, other_shop, customer):
    """A code, item or payment method of one shop is unknown on another shop's host; a token
    of one shop is no key to another."""
    _person, api, method = customer
    with schema_context(other_shop.schema_name):
        stranger, token = customer_with_token()
        their_code = referrals.code_for(customer=stranger).code
        their_item = MallItem.objects.create(name="Other toy", points=1, stock=5)
    refused = post(api, "/api/v1/referral/claim", {"code": their_code})
    assert (refused.status_code, refused.json()["code"]) == (422, "referral_refused")
    assert post(api, "/api/v1/mall/redemptions", {"item_id": opaque_id(MALL_ITEM, their_item.pk, schema_name=other_shop.schema_name)}).status_code == 400
    other = client(other_shop, token)
    assert post(other, "/api/v1/stored-value/top-ups", {"amount_minor": 1_000, "payment_method_id": opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)}).status_code == 400
    assert other.get("/api/v1/mall/items").json()["results"][0]["name"] == "Other toy"
    assert client(other_shop, "nope").get("/api/v1/stored-value").status_code == 401
    with schema_context(shop.schema_name):
        assert Referral.objects.count() == 0 and TopUp.objects.count() == 0
    with schema_context(other_shop.schema_name):
        assert TopUp.objects.count() == 0 and MallItem.objects.get(pk=their_item.pk).stock == 5


def test_staff_tokens_are_told_the_customer_is_needed(api_client, shop_staff):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    answer = api_client.get("/api/v1/stored-value")
    assert (answer.status_code, answer.json()["code"]) == (422, "customer_required")
