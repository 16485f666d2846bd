"""The messages, segments, renewal and win-back API over HTTP: who sees what, shop isolation."""
import itertools
from datetime import UTC, date, datetime

import pytest
import time_machine
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import MESSAGE, RENEWAL_OFFER, opaque_id, pk_of
from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, Journal, RenewalOffer
from pawpact.billing.services.renewal import renewal_offer_send
from pawpact.billing.services.signing import application_create
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.loyalty.models import WinBackOffer
from pawpact.loyalty.services import exit_followup_send
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from tests.billing.lifecycle.messages.helpers import active_contract, clock_on
from tests.conftest import SHOP_PASSWORD, host_of

NOW = datetime(2026, 3, 7, 4, 0, tzinfo=UTC)  # noon in Beijing
_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def api(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def _customer_with_login(contract: Contract) -> str:
    """Give the contract's customer a login at the shop; their API token."""
    user = User.objects.create_user(f"adopter{next(_emails)}@example.com", SHOP_PASSWORD, name="Adopter")
    Customer.objects.filter(pk=contract.customer_id).update(user=user)
    return api_token_issue(user=user)


@pytest.fixture
def staff_token(shop, shop_staff) -> str:
    return shop_staff.api_token


def _send(customer, key, *, category="service", body="Hello"):
    return message_send(customer=customer, topic="notice", category=category, channels=["sms", "in_app"],
                        subject="S", body=body, dedupe_key=key, clock=clock_on(date(2026, 3, 7)))  # fmt: skip


def test_a_customer_sees_only_their_own_delivered_messages_and_marks_them_read(shop, staff_token):
    with schema_context(shop.schema_name):
        mine, theirs = active_contract(), active_contract()
        token = _customer_with_login(mine)
        _send(mine.customer, "n:1", body="Your box ships")
        _send(mine.customer, "p:1", category="marketing", body="Sale")
        suppressed = _send(mine.customer, "p:2", category="marketing", body="Another sale")
        other = _send(theirs.customer, "n:2", body="Not yours")
        assert {m.status for m in suppressed} == {"suppressed"}

    page = ok(api(shop, token).get("/api/v1/messages"))
    assert sorted((m["channel"], m["body"]) for m in page["results"]) == [
        ("in_app", "Sale"), ("in_app", "Your box ships"), ("sms", "Sale"), ("sms", "Your box ships"),
    ]  # fmt: skip
    assert {m["customer_uuid"] for m in page["results"]} == {str(mine.customer.uuid)}
    in_app = ok(api(shop, token).get("/api/v1/messages?channel=in_app"))["results"]
    assert [m["body"] for m in in_app] == ["Sale", "Your box ships"]

    first = in_app[-1]
    read = ok(api(shop, token).post(f"/api/v1/messages/{first['id']}/read"))
    assert read["read_at"] == "2026-03-07T12:00:00+08:00"
    assert ok(api(shop, token).post(f"/api/v1/messages/{first['id']}/read"))["read_at"] == read["read_at"]
    # Someone else's message, or a suppressed one of mine: 404, nothing written.
    error(api(shop, token).post(f"/api/v1/messages/{opaque_id(MESSAGE, other[0].pk, schema_name=shop.schema_name)}/read"), 404)
    error(api(shop, token).post(f"/api/v1/messages/{opaque_id(MESSAGE, suppressed[0].pk, schema_name=shop.schema_name)}/read"), 404)
    # The number names no message from 2026-12-15; a client pinned to 2026-12-01 still sends it.
    error(api(shop, token).post(f"/api/v1/messages/{pk_of(MESSAGE, first['id'], schema_name=shop.schema_name)}/read"), 404)
    number = pk_of(MESSAGE, first["id"], schema_name=shop.schema_name)
    old = api(shop, token).post(f"/api/v1/messages/{number}/read", HTTP_PAWPACT_VERSION="2026-12-01")
    assert ok(old)["id"] == number
    with schema_context(shop.schema_name):
        assert Message.objects.filter(read_at__isnull=False).count() == 1

    # Staff see everything of the shop, suppressed included, and filter it.
    everything = ok(api(shop, staff_token).get("/api/v1/messages"))["results"]
    assert len(everything) == 8
    suppressed_rows = ok(api(shop, staff_token).get("/api/v1/messages?status=suppressed"))["results"]
    assert {m["body"] for m in suppressed_rows} == {"Another sale"}
    theirs_rows = ok(api(shop, staff_token).get(f"/api/v1/messages?customer_uuid={theirs.customer.uuid}"))["results"]
    assert {m["body"] for m in theirs_rows} == {"Not yours"}
    # A malformed filter is refused, not ignored.
    refused = error(api(shop, staff_token).get("/api/v1/messages?customer_uuid=not-a-uuid"), 400)
    assert refused["fields"] == {"customer_uuid": ["Must be a valid UUID."]}
    assert error(api(shop, staff_token).get("/api/v1/messages?status=AAA"), 400)["fields"] == {
        "status": ['"AAA" is not a valid choice.']
    }


def test_another_shops_token_or_none_is_refused(shop, other_shop):
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        beta_token = api_token_issue(user=user)
    with schema_context(shop.schema_name):
        _send(active_contract().customer, "n:1")
    for path in ("/api/v1/messages", "/api/v1/segments/normal", "/api/v1/renewal-offers"):
        assert error(api(shop, beta_token).get(path), 401)["code"] == "authentication_failed"
        assert error(api(shop).get(path), 401)["code"] == "not_authenticated"
    # On its own host the token works, and sees none of alpha's messages.
    assert ok(api(other_shop, beta_token).get("/api/v1/messages"))["results"] == []


def test_segments_for_staff_only(shop, staff_token):
    with schema_context(shop.schema_name):
        normal = active_contract()
        overdue = active_contract()
        Customer.objects.filter(pk=overdue.customer_id).update(standing=CustomerStanding.OVERDUE)
        terminated = active_contract(status=ContractStatus.TERMINATED_EARLY)
        customer_token = _customer_with_login(normal)
    expected = {"normal": normal, "overdue": overdue, "terminated": terminated}
    for name, contract in expected.items():
        rows = ok(api(shop, staff_token).get(f"/api/v1/segments/{name}"))["results"]
        assert [row["uuid"] for row in rows] == [str(contract.customer.uuid)]
    assert ok(api(shop, staff_token).get("/api/v1/segments/overdue"))["results"][0]["standing"] == "overdue"
    assert error(api(shop, staff_token).get("/api/v1/segments/vip"), 404)["code"] == "not_found"
    assert error(api(shop, customer_token).get("/api/v1/segments/normal"), 403)["code"] == "permission_denied"


def test_a_customer_accepts_their_own_renewal_offer(shop, staff_token):
    with schema_context(shop.schema_name):
        mine, theirs = active_contract(), active_contract()
        token = _customer_with_login(mine)
        offer = renewal_offer_send(contract=mine, clock=clock_on(date(2026, 11, 10)))
        their_offer = renewal_offer_send(contract=theirs, clock=clock_on(date(2026, 11, 10)))
    listed = ok(api(shop, token).get("/api/v1/renewal-offers"))["results"]
    assert [o["id"] for o in listed] == [opaque_id(RENEWAL_OFFER, offer.pk, schema_name=shop.schema_name)]
    old = ok(api(shop, token).get("/api/v1/renewal-offers", HTTP_PAWPACT_VERSION="2026-12-01"))["results"]
    assert [o["id"] for o in old] == [offer.pk]
    assert [o["key"] for o in listed[0]["options"]] == ["gift_pack_groomings", "one_month_free"]
    assert len(ok(api(shop, staff_token).get("/api/v1/renewal-offers"))["results"]) == 2

    url = f"/api/v1/renewal-offers/{opaque_id(RENEWAL_OFFER, offer.pk, schema_name=shop.schema_name)}/accept"
    assert error(api(shop, token).post(url, {"option_key": "free_car"}, format="json"), 400)["fields"] == {
        "option_key": ["Unknown option; choose one of: gift_pack_groomings, one_month_free."]
    }
    error(api(shop, token).post(f"/api/v1/renewal-offers/{opaque_id(RENEWAL_OFFER, their_offer.pk, schema_name=shop.schema_name)}/accept", {"option_key": "one_month_free"},
                                format="json"), 404)  # fmt: skip
    accepted = ok(api(shop, token).post(url, {"option_key": "one_month_free"}, format="json"))
    assert (accepted["accepted_option"], accepted["renewal_contract_uuid"]) == ("one_month_free", None)
    with schema_context(shop.schema_name):
        assert list(RenewalOffer.objects.filter(accepted_at__isnull=False).values_list("pk", flat=True)) == [offer.pk]


def test_a_customer_redeems_their_winback_code(shop):
    with schema_context(shop.schema_name):
        old = active_contract(status=ContractStatus.TERMINATED_EARLY)
        token = _customer_with_login(old)
        _survey, offer = exit_followup_send(contract=old, clock=clock_on(date(2026, 3, 1)))
        new = application_create(customer=old.customer, pet=old.pet, plan_version_id=old.plan_version_id)
        stranger = active_contract(status=ContractStatus.DRAFT)
    client = api(shop, token)
    body = {"code": offer.code.lower(), "contract_uuid": str(new.uuid)}
    assert error(client.post("/api/v1/winback/redeem", body, format="json"), 400)["code"] == "idempotency_key_required"
    redeemed = ok(client.post("/api/v1/winback/redeem", body, format="json", HTTP_IDEMPOTENCY_KEY="wb-1"))
    assert (redeemed["code"], redeemed["redeemed_contract_uuid"]) == (offer.code, str(new.uuid))
    again = client.post("/api/v1/winback/redeem", body, format="json", HTTP_IDEMPOTENCY_KEY="wb-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    # Someone else's contract: 404; an unknown code: 404.
    error(client.post("/api/v1/winback/redeem", {**body, "contract_uuid": str(stranger.uuid)}, format="json",
                      HTTP_IDEMPOTENCY_KEY="wb-2"), 404)  # fmt: skip
    error(client.post("/api/v1/winback/redeem", {**body, "code": "WB0000000000"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="wb-3"), 404)  # fmt: skip
    with schema_context(shop.schema_name):
        assert list(WinBackOffer.objects.values_list("redeemed_contract_id", flat=True)) == [new.pk]
        assert Journal.objects.filter(kind="winback.credit").count() == 0  # a draft: credited once active
