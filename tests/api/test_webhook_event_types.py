"""Every event type GET /webhook-event-types lists is really emitted and delivered:
contract.activated when a contract comes into force, message.sent per message that goes
out; facts only webhooks need never reach the platform's tables."""
import json
import re
import uuid
from datetime import datetime
from pathlib import Path

from django_tenants.utils import schema_context

import pawpact
from pawpact.core.events import CATALOGUE, EventKind
from pawpact.core.opaque_ids import MESSAGE, opaque_id
from pawpact.customers.models import Customer
from pawpact.messaging.models import Category, Channel, Message
from pawpact.messaging.services import message_send
from pawpact.outbox.models import OutboxEvent
from pawpact.outbox.services import outbox_emit
from tests.api.test_billing_api import active, api, draft
from tests.api.test_webhooks import Receiver, _endpoint, _run, _staff_client


def _delivered(receiver, kind: str) -> list[dict]:
    bodies = [json.loads(body) for _url, body, _headers in receiver.calls]
    return [body["data"]["object"] for body in bodies if body["type"] == kind]


def test_the_catalogue_lists_the_new_types(shop, shop_staff):
    types = {row["type"]: row for row in _staff_client(shop, shop_staff).get("/api/v1/webhook-event-types").json()["results"]}
    assert set(types) == set(CATALOGUE)
    assert types["contract.activated"]["fields"] == list(CATALOGUE["contract.activated"].fields)
    assert "message.sent" in types


def test_activating_a_contract_delivers_contract_activated(shop, shop_staff):
    client = _staff_client(shop, shop_staff)
    _endpoint(client, events=("contract.activated", "contract.signed"))
    contract = active(api(shop, shop_staff.api_token), draft(api(shop, shop_staff.api_token))["uuid"])
    receiver = Receiver()
    _run(shop, receiver)
    (activated,) = _delivered(receiver, "contract.activated")
    assert len(_delivered(receiver, "contract.signed")) == 1
    assert activated["contract_uuid"] == contract["uuid"]
    assert activated["customer_uuid"] == contract["customer_uuid"] and activated["pet_uuid"] == contract["pet_uuid"]
    assert activated["plan_code"] == "basic"
    assert datetime.fromisoformat(activated["activated_at"]) == datetime.fromisoformat(contract["activated_at"])
    assert activated["cooling_off_until"] == contract["cooling_off_until"]
    with schema_context(shop.schema_name):
        rows = OutboxEvent.objects.filter(aggregate_uuid=contract["uuid"])
        # The platform drains contract.signed (funding); contract.activated is the webhooks' alone.
        assert rows.get(kind="contract.activated").published_at is not None
        assert rows.get(kind="contract.signed").published_at is None


def test_a_message_sent_is_delivered_once_per_channel_and_a_repeat_sends_none(shop, shop_staff):
    _endpoint(_staff_client(shop, shop_staff), events=("message.sent",))
    with schema_context(shop.schema_name):
        customer = Customer.objects.create(name="Zhao Lei", phone="13800138555", birth_date="1990-01-01")
        sent = {}
        for _attempt in range(2):  # the same dedupe key again: no second message, no second event
            rows = message_send(customer=customer, topic="debit_reminder", category=Category.SERVICE,
                                channels=[Channel.IN_APP, Channel.SMS], subject="Reminder", body="Due tomorrow",
                                dedupe_key=f"reminder-{customer.pk}")  # fmt: skip
            sent = {row.channel: opaque_id(MESSAGE, row.pk, schema_name=shop.schema_name) for row in rows}
        assert OutboxEvent.objects.filter(kind="message.sent").count() == 2
        assert not OutboxEvent.objects.filter(kind="message.sent", published_at__isnull=True).exists()
    receiver = Receiver()
    _run(shop, receiver)
    delivered = _delivered(receiver, "message.sent")
    assert sorted((m["channel"], m["message_id"]) for m in delivered) == sorted(sent.items())
    assert {(m["customer_uuid"], m["category"], m["topic"]) for m in delivered} == {
        (str(customer.uuid), "service", "debit_reminder")
    }


def test_a_message_held_back_by_the_cap_sends_no_event(shop):
    with schema_context(shop.schema_name):
        customer = Customer.objects.create(name="Qian Yu", phone="13800138556", birth_date="1990-01-01")
        for number in range(5):
            message_send(customer=customer, topic="winback", category=Category.MARKETING, channels=[Channel.IN_APP],
                         subject="Offer", body="Come back", dedupe_key=f"offer-{number}")  # fmt: skip
        sent = Message.objects.filter(customer=customer, status="sent").count()
        assert 0 < sent < 5
        assert OutboxEvent.objects.filter(kind="message.sent", aggregate_uuid=customer.uuid).count() == sent


def _emitted_kinds() -> set[str]:
    """The catalogue kinds some service writes to the outbox (`kind=EventKind.X`)."""
    names = set()
    for path in Path(pawpact.__path__[0]).rglob("*.py"):
        if path.name != "events.py":
            names |= set(re.findall(r"kind=EventKind\.([A-Z_]+)", path.read_text()))
    # Other apps have an EventKind of their own (the workspace's audit log): not the outbox's.
    return {getattr(EventKind, name) for name in names if hasattr(EventKind, name)}


def test_every_listed_type_has_a_sender_and_reaches_a_subscriber_of_every_type(shop, shop_staff):
    assert set(CATALOGUE) <= _emitted_kinds()
    _endpoint(_staff_client(shop, shop_staff), events=sorted(CATALOGUE))
    with schema_context(shop.schema_name):
        for kind, definition in CATALOGUE.items():
            outbox_emit(kind=kind, aggregate_uuid=uuid.uuid4(), payload=dict.fromkeys(definition.fields, "x"),
                        livemode=False)  # fmt: skip
    receiver = Receiver()
    _run(shop, receiver)
    assert sorted(json.loads(body)["type"] for _url, body, _headers in receiver.calls) == sorted(CATALOGUE)
