"""Opaque ids are keyed per type and per shop (issue #9): record n of one type in one shop is
spelled unlike record n of any other type or shop, an id read with another type's or shop's
key names nothing, and the spelling depends on nothing that changes (no secret, no hash seed)."""
import json
import os
import subprocess
import sys

from django_tenants.utils import schema_context

from pawpact.billing.models import PaymentMethod, Plan
from pawpact.core import opaque_ids
from pawpact.core.opaque_ids import ADVANCE, EVENT, PAYMENT_METHOD, PAYOUT, PLAN, QUOTE, opaque_id, pk_of
from pawpact.outbox.models import WebhookDelivery
from pawpact.outbox.tasks import webhooks_dispatch_task
from pawpact.workspace.templatetags.ws import event_ref
from tests.api.test_resources_api import NOT_FOUND, _client, _customer, _method, _staff
from tests.api.test_webhooks import PAID, Receiver, _emit, _endpoint, _staff_client

PREFIXES = sorted(value for name, value in vars(opaque_ids).items() if name.isupper() and isinstance(value, str)
                  and name != "MIN_LENGTH")  # fmt: skip
# Pinned: an id must never change, whatever is refactored (a change here breaks every client's stored ids).
PINNED = {
    (PLAN, "alpha", 1): "plan_deY9Wfhbdi",
    (PLAN, "beta", 1): "plan_8o40xWtPAJ",
    (QUOTE, "alpha", 1): "quote_XD5AsqU4o8",
    (ADVANCE, "public", 1): "adv_xgDRcpqdAZ",
}


def _suffix(value: str) -> str:
    return value.split("_", 1)[1]


def test_the_same_number_is_spelled_apart_in_every_type_and_every_shop():
    for pk in (1, 2, 7, 1_000, 2**40):
        spellings = {(prefix, shop): _suffix(opaque_id(prefix, pk, schema_name=shop))
                     for prefix in PREFIXES for shop in ("alpha", "beta", "public")}  # fmt: skip
        assert len(set(spellings.values())) == len(PREFIXES) * 3, pk
        for (prefix, shop), suffix in spellings.items():
            value = f"{prefix}_{suffix}"
            assert pk_of(prefix, value, schema_name=shop) == pk
            assert [other for other in ("alpha", "beta", "public") if other != shop
                    and pk_of(prefix, value, schema_name=other) is not None] == []  # fmt: skip
    assert {key: opaque_id(key[0], key[2], schema_name=key[1]) for key in PINNED} == PINNED
    longest = opaque_id(PLAN, opaque_ids.MAX_PK, schema_name="alpha")
    assert (len(_suffix(longest)), pk_of(PLAN, longest, schema_name="alpha")) == (16, opaque_ids.MAX_PK)
    assert pk_of(PLAN, longest + "x" * 17, schema_name="alpha") is None  # refused before decoding


def test_an_id_from_another_shop_names_nothing_for_the_first_thousand_records():
    read = [pk_of(PLAN, opaque_id(PLAN, pk, schema_name="alpha"), schema_name="beta") for pk in range(1, 1_001)]
    assert read == [None] * 1_000


def test_public_records_are_keyed_by_the_public_schema_wherever_they_are_shown(shop):
    public = opaque_id(PAYOUT, 5, schema_name="public")
    with schema_context(shop.schema_name):
        assert (opaque_id(PAYOUT, 5), pk_of(PAYOUT, public), opaque_id(PLAN, 5)) == (
            public, 5, opaque_id(PLAN, 5, schema_name=shop.schema_name),
        )  # fmt: skip
    assert opaque_id(PLAN, 5) == opaque_id(PLAN, 5, schema_name="public") != opaque_id(PLAN, 5, schema_name="alpha")


def test_ids_are_the_same_in_another_process_with_another_hash_seed():
    keys = [(prefix, shop, pk) for prefix in (PLAN, EVENT, PAYMENT_METHOD) for shop in ("alpha", "beta")
            for pk in (1, 99)]  # fmt: skip
    script = (
        "import json, sys; from pawpact.core.opaque_ids import opaque_id; "
        "print(json.dumps([opaque_id(p, n, schema_name=s) for p, s, n in json.loads(sys.argv[1])]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "pawpact.config.settings.test"}
    ran = subprocess.run([sys.executable, "-c", script, json.dumps(keys)], env=env, capture_output=True, text=True,
                         timeout=60, check=True)  # fmt: skip
    assert json.loads(ran.stdout) == [opaque_id(prefix, pk, schema_name=shop) for prefix, shop, pk in keys]


def test_an_id_from_shop_a_is_refused_at_shop_b_even_where_b_has_that_number(shop, other_shop):
    with schema_context(other_shop.schema_name):
        beta_basic = Plan.objects.get(code="basic")
    customer, _pet, _customer_client = _customer(other_shop, "me@beta.test", "13800000009")
    beta_method = _method(other_shop, customer)
    beta = _staff(other_shop, "staff@beta.test")
    # Alpha's spelling of Beta's own numbers: a read and a write both find nothing.
    alpha_plan = opaque_id(PLAN, beta_basic.pk, schema_name=shop.schema_name)
    alpha_method = opaque_id(PAYMENT_METHOD, beta_method.pk, schema_name=shop.schema_name)
    assert _client(other_shop).get(f"/api/v1/plans/{alpha_plan}").json() == NOT_FOUND
    assert beta.delete(f"/api/v1/payment-methods/{alpha_method}").json() == NOT_FOUND
    refused = beta.patch(f"/api/v1/payment-methods/{alpha_method}", {"metadata": {"k": "v"}}, format="json")
    assert (refused.status_code, refused.json()) == (404, NOT_FOUND)
    with schema_context(other_shop.schema_name):
        method = PaymentMethod.objects.get(pk=beta_method.pk)
    assert (method.is_active, method.metadata) == (True, {})
    # Beta's own spelling, and the number for a client of 2026-12-01, still name them.
    own = opaque_id(PAYMENT_METHOD, beta_method.pk, schema_name=other_shop.schema_name)
    assert beta.get(f"/api/v1/payment-methods/{own}").json()["id"] == own
    legacy = beta.get(f"/api/v1/payment-methods/{beta_method.pk}", HTTP_PAWPACT_VERSION="2026-12-01")
    assert (legacy.status_code, legacy.json()["id"]) == (200, beta_method.pk)
    own_plan = opaque_id(PLAN, beta_basic.pk, schema_name=other_shop.schema_name)
    assert _client(other_shop).get(f"/api/v1/plans/{own_plan}").json()["code"] == "basic"


def test_a_webhook_event_keeps_its_id_across_retries_resends_and_the_log(shop, other_shop, shop_staff, monkeypatch):
    client = _staff_client(shop, shop_staff)
    created = _endpoint(client)
    event = _emit(shop)
    expected = opaque_id(EVENT, event.id, schema_name=shop.schema_name)
    receiver = Receiver(500)
    monkeypatch.setattr("pawpact.outbox.webhooks._post", receiver)
    monkeypatch.setattr("socket.getaddrinfo", lambda host, port, **kw: [(2, 1, 6, "", ("93.184.215.14", port))])
    # The minute's sweep as Celery runs it: sent from the public schema, run in each shop's.
    assert webhooks_dispatch_task.delay().get() == 2
    with schema_context(shop.schema_name):
        WebhookDelivery.objects.update(next_attempt_at=event.created_at)
    webhooks_dispatch_task.delay()  # the retry, answered 200
    with schema_context(shop.schema_name):
        delivery = WebhookDelivery.objects.get()
    resent = client.post(f"/api/v1/webhook-endpoints/{created['id']}/deliveries/{delivery.uuid}/resend")
    assert (resent.status_code, resent.json()["event_id"], resent.json()["attempts"]) == (200, expected, 3)
    sent = [json.loads(body) for _url, body, _headers in receiver.calls]
    assert [(body["id"], body["data"]["object"], body["delivery_id"]) for body in sent] == [
        (expected, PAID, str(delivery.uuid)),
    ] * 3  # fmt: skip
    log = client.get(f"/api/v1/webhook-endpoints/{created['id']}/deliveries").json()["results"]
    assert [(row["event_id"], row["attempts"], row["status"]) for row in log] == [(expected, 3, "succeeded")]
    with schema_context(shop.schema_name):
        assert event_ref(event.id) == expected  # the workspace's delivery log
    assert expected != opaque_id(EVENT, event.id, schema_name=other_shop.schema_name)
