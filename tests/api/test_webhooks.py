"""Outbound webhooks: endpoints per shop and mode, deliveries driven by the outbox, signed
like Stripe's (HMAC-SHA256 over "timestamp.body"), retried with back-off for three days,
logged, resent by hand; never across shops or modes."""
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.core.clock import FixedClock
from pawpact.core.events import CATALOGUE
from pawpact.core.opaque_ids import EVENT, opaque_id
from pawpact.outbox.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from pawpact.outbox.services import outbox_emit
from pawpact.outbox.webhooks import (
    webhook_deliver_due,
    webhook_deliveries_enqueue,
    webhook_delivery_resend,
    webhook_signature_verify,
)
from tests.conftest import host_of

PAID = {"contract_uuid": "c", "period_number": 1, "amount_minor": 19900, "currency": "CNY", "attempt_number": 1,
        "outcome": "succeeded", "at": "2026-11-28T08:00:00+08:00"}  # fmt: skip


class Receiver:
    """Records what was posted and answers the statuses it is given, in order."""

    def __init__(self, *statuses: int):
        self.statuses, self.calls = list(statuses), []

    def __call__(self, url, body, headers):
        self.calls.append((url, body, headers))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 0:
            raise OSError("connection refused")
        return status


def _staff_client(shop, shop_staff) -> APIClient:
    return APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)


def _endpoint(client, events=("debit.paid",), url="https://hooks.example.com/pawpact") -> dict:
    answer = client.post("/api/v1/webhook-endpoints", {"url": url, "events": list(events)}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def _emit(shop, kind="debit.paid", livemode=False) -> OutboxEvent:
    with schema_context(shop.schema_name):
        payload = PAID if kind == "debit.paid" else {field: "x" for field in CATALOGUE[kind].fields}
        return outbox_emit(kind=kind, aggregate_uuid=uuid.uuid4(), payload=payload, livemode=livemode)


def _run(shop, receiver, clock=None):
    with schema_context(shop.schema_name):
        kwargs = {"clock": clock} if clock else {}
        webhook_deliveries_enqueue(**kwargs)
        return webhook_deliver_due(transport=receiver, **kwargs)


def test_a_subscribed_event_is_delivered_signed_once(shop, shop_staff):
    created = _endpoint(_staff_client(shop, shop_staff))
    assert created["secret"].startswith("whsec_") and created["livemode"] is False
    event = _emit(shop)
    _emit(shop, kind="contract.terminated")  # not subscribed
    receiver = Receiver(200)
    assert _run(shop, receiver) == 1
    assert _run(shop, receiver) == 0  # nothing twice
    (url, body, headers), = receiver.calls
    assert url == "https://hooks.example.com/pawpact"
    assert webhook_signature_verify(secret=created["secret"], body=body, header=headers["Pawpact-Signature"])
    assert not webhook_signature_verify(secret=created["secret"], body=body + b" ", header=headers["Pawpact-Signature"])
    assert not webhook_signature_verify(secret="whsec_other", body=body, header=headers["Pawpact-Signature"])
    payload = json.loads(body)
    assert (payload["type"], payload["id"], payload["data"]["object"]) == ("debit.paid", opaque_id(EVENT, event.id, schema_name=shop.schema_name), PAID)
    log = _staff_client(shop, shop_staff).get(f"/api/v1/webhook-endpoints/{created['id']}/deliveries").json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log["results"]] == [("succeeded", 1, 200)]


def test_an_old_signature_is_refused_by_the_verifier(shop, shop_staff):
    created = _endpoint(_staff_client(shop, shop_staff))
    _emit(shop)
    receiver = Receiver(200)
    _run(shop, receiver)
    _url, body, headers = receiver.calls[0]
    later = timezone.now().timestamp() + 301
    assert not webhook_signature_verify(secret=created["secret"], body=body, header=headers["Pawpact-Signature"], now=later)


def test_failures_are_retried_with_back_off_and_given_up_after_three_days(shop, shop_staff):
    created = _endpoint(_staff_client(shop, shop_staff))
    start = timezone.now()
    _emit(shop)
    clock = FixedClock(start)
    receiver = Receiver(*([500] * 100))
    _run(shop, receiver, clock)
    with schema_context(shop.schema_name):
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 1, clock.now() + timedelta(minutes=1))
    clock.advance(timedelta(seconds=30))
    assert _run(shop, receiver, clock) == 0  # not due yet
    pauses = []
    while True:
        with schema_context(shop.schema_name):
            delivery = WebhookDelivery.objects.get()
        if delivery.status != "pending":
            break
        pauses.append(delivery.next_attempt_at - clock.now())
        clock.at = delivery.next_attempt_at
        assert _run(shop, receiver, clock) == 1
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    # (the first pause, 1 minute, was checked above; half of it had passed when the loop began)
    assert [round(p.total_seconds() / 60) for p in pauses[1:6]] == [5, 30, 120, 300, 720]
    assert {round(p.total_seconds() / 60) for p in pauses[6:]} == {720}
    assert clock.now() - start <= timedelta(days=3)
    assert delivery.attempts == len(receiver.calls)
    log = _staff_client(shop, shop_staff).get(f"/api/v1/webhook-endpoints/{created['id']}/deliveries?status=failed")
    assert [d["last_status_code"] for d in log.json()["results"]] == [500]


def test_an_unreachable_endpoint_is_retried_and_a_manual_resend_delivers(shop, shop_staff, monkeypatch):
    client = _staff_client(shop, shop_staff)
    created = _endpoint(client)
    _emit(shop)
    _run(shop, Receiver(0))
    with schema_context(shop.schema_name):
        delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("pending", "OSError")
    with schema_context(shop.schema_name):
        done = webhook_delivery_resend(delivery=delivery, transport=Receiver(204))
    assert (done.status, done.attempts, done.last_status_code) == ("succeeded", 2, 204)
    receiver = Receiver(200)
    monkeypatch.setattr("pawpact.outbox.webhooks._post", receiver)
    # The real transport resolves the host first (url_guard): a public address here.
    monkeypatch.setattr("socket.getaddrinfo", lambda host, port, **kw: [(2, 1, 6, "", ("93.184.215.14", port))])
    url = f"/api/v1/webhook-endpoints/{created['id']}/deliveries/{delivery.uuid}/resend"
    again = client.post(url)
    assert (again.status_code, again.json()["status"], again.json()["attempts"]) == (200, "succeeded", 3)
    assert len(receiver.calls) == 1


def test_test_and_live_events_never_cross(shop, shop_staff):
    _endpoint(_staff_client(shop, shop_staff))
    _emit(shop, livemode=True)
    receiver = Receiver()
    assert _run(shop, receiver) == 0 and receiver.calls == []


def test_endpoints_and_deliveries_stay_in_their_shop(shop, other_shop, shop_staff):
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue

    created = _endpoint(_staff_client(shop, shop_staff))
    with schema_context(other_shop.schema_name):
        other = User.objects.create_user("staff@beta.test", "x-long-password", is_staff=True)
        other_client = APIClient(HTTP_HOST=host_of(other_shop), HTTP_AUTHORIZATION="Token " + api_token_issue(user=other))
    assert other_client.get(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404
    assert other_client.get("/api/v1/webhook-endpoints").json()["results"] == []
    assert other_client.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404
    _emit(other_shop)
    receiver = Receiver()
    assert _run(other_shop, receiver) == 0 and _run(shop, receiver) == 0
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://x.example.com", "events": ["nope"]}, "events"),
        ({"url": "https://x.example.com", "events": []}, "events"),
        ({"url": "ftp://x.example.com", "events": ["debit.paid"]}, "url"),
        ({"url": "https://x.example.com", "events": ["debit.paid"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_endpoints_are_refused_and_nothing_is_written(shop, shop_staff, body, field):
    answer = _staff_client(shop, shop_staff).post("/api/v1/webhook-endpoints", body, format="json")
    assert answer.status_code == 400
    assert any(name.split(".")[0] == field for name in answer.json()["fields"]), answer.json()
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 0


def test_customers_cannot_manage_webhooks(shop):
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue

    with schema_context(shop.schema_name):
        customer = User.objects.create_user("c@alpha.test", "x-long-password")
        client = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + api_token_issue(user=customer))
    assert client.post("/api/v1/webhook-endpoints", {"url": "https://x.example.com", "events": ["debit.paid"]}).status_code == 403
    assert client.get("/api/v1/webhook-endpoints").status_code == 403
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 0


def test_an_endpoint_receives_only_events_after_its_creation_and_can_be_paused(shop, shop_staff):
    _emit(shop)  # before the endpoint existed
    client = _staff_client(shop, shop_staff)
    created = _endpoint(client)
    receiver = Receiver()
    assert _run(shop, receiver) == 0
    paused = client.patch(f"/api/v1/webhook-endpoints/{created['id']}", {"is_active": False}, format="json")
    assert paused.json()["is_active"] is False
    _emit(shop)
    assert _run(shop, receiver) == 0
    client.patch(f"/api/v1/webhook-endpoints/{created['id']}", {"is_active": True}, format="json")
    assert _run(shop, receiver) == 1  # the event of the pause is delivered when it resumes


@pytest.mark.parametrize(
    ("url", "mode"),
    [
        ("https://127.0.0.1/hook", "live"), ("https://localhost/hook", "live"), ("https://10.0.0.5/hook", "live"),
        ("https://169.254.169.254/latest/meta-data", "live"), ("https://[::1]/hook", "live"),
        ("https://[::ffff:192.168.1.1]/hook", "live"), ("https://100.100.100.200/meta", "live"),
        ("http://169.254.169.254/", "test"), ("http://192.168.0.10:8000/", "test"), ("http://0.0.0.0/", "test"),
    ],
)  # fmt: skip
def test_private_and_metadata_addresses_are_refused(shop, shop_staff, url, mode):
    from pawpact.tenants.enums import ShopMode

    if mode == "live":
        shop.mode = ShopMode.LIVE
        shop.save(update_fields=["mode"])
    answer = _staff_client(shop, shop_staff).post("/api/v1/webhook-endpoints", {"url": url, "events": ["debit.paid"]}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "webhook_url_invalid"), answer.content
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 0


def test_loopback_is_allowed_in_test_mode_for_local_development(shop, shop_staff):
    for url in ("http://127.0.0.1:4000/hooks", "http://localhost:4000/hooks"):
        assert _endpoint(_staff_client(shop, shop_staff), url=url)["livemode"] is False


def test_a_name_resolving_inside_is_refused_at_delivery_and_nothing_is_posted(shop, shop_staff, monkeypatch):
    import socket

    import pawpact.outbox.webhooks as webhooks
    from pawpact.tenants.enums import ShopMode

    shop.mode = ShopMode.LIVE
    shop.save(update_fields=["mode"])
    _endpoint(_staff_client(shop, shop_staff), url="https://hooks.example.com/pawpact")
    _emit(shop, livemode=True)
    answers = {"hooks.example.com": "10.1.2.3"}
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, **kw: [(2, 1, 6, "", (answers[host], port))])
    posted = []
    monkeypatch.setattr(webhooks, "_post", lambda *args: posted.append(args) or 200)
    with schema_context(shop.schema_name):
        webhook_deliveries_enqueue()
        assert webhook_deliver_due() == 1
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
        assert delivery.last_error == "address refused: 10.1.2.3" and posted == []
        answers["hooks.example.com"] = "93.184.215.14"  # published again at a public address
        assert webhook_delivery_resend(delivery=delivery).status == "succeeded"
        assert len(posted) == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "https://x.example.com", "events": ["debit.paid", "nope"]}, {"events.1"}),
        ({"url": "https://x.example.com", "events": []}, {"events"}),
        ({"url": "https://x.example.com", "events": ["nope"], "description": "d" * 201}, {"description", "events.0"}),
    ],
)
def test_unknown_event_types_answer_the_documented_code_naming_the_field(shop, shop_staff, body, fields):
    answer = _staff_client(shop, shop_staff).post("/api/v1/webhook-endpoints", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "webhook_events_invalid"
    assert answer.json()["message"] == "Choose event types from the catalogue (GET /webhook-event-types)."
    assert set(answer.json()["fields"]) == fields
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 0


def test_a_payloads_times_are_at_the_shops_offset_like_the_apis_answers(shop, shop_staff):
    _endpoint(_staff_client(shop, shop_staff), events=("contract.terminated",))
    with schema_context(shop.schema_name):
        fields = {field: "x" for field in CATALOGUE["contract.terminated"].fields}
        fields.update({field: "2026-11-28T20:04:00.123456+00:00" for field in list(fields)[:1]})
        outbox_emit(kind="contract.terminated", aggregate_uuid=uuid.uuid4(), payload=fields, livemode=False)
    receiver = Receiver(200)
    assert _run(shop, receiver) == 1
    (_, body, _), = receiver.calls
    sent = json.loads(body)["data"]["object"]
    first = next(iter(fields))
    assert sent[first] == "2026-11-29T04:04:00.123456+08:00"
    assert all(sent[name] == "x" for name in list(fields)[1:])
