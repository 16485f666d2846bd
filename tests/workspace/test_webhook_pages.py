"""The webhook pages: owners and managers add endpoints (the secret shown once), pause and
resume them, read the delivery log, resend and export it; clerks and other shops cannot."""
import re
import uuid

import pytest
from django_tenants.utils import schema_context

from pawpact.core.opaque_ids import EVENT, opaque_id
from pawpact.outbox.models import WebhookDelivery, WebhookEndpoint
from pawpact.outbox.services import outbox_emit
from pawpact.outbox.webhooks import webhook_deliveries_enqueue
from pawpact.tenants.enums import ShopMode
from pawpact.workspace.enums import Role
from tests.workspace.conftest import client_for, staff_user

PAID = {"contract_uuid": "c", "period_number": 1, "amount_minor": 19900, "currency": "CNY", "attempt_number": 1,
        "outcome": "succeeded", "at": "2026-11-28T08:00:00+08:00"}  # fmt: skip
NEW = {"url": "https://hooks.example.com/pawpact", "events": ["debit.paid", "debit.failed"], "description": "App"}


def _add(client, body=NEW):
    return client.post("/manage/webhooks/", body, HTTP_ACCEPT_LANGUAGE="en")


def _endpoint(shop) -> WebhookEndpoint:
    with schema_context(shop.schema_name):
        return WebhookEndpoint.objects.get()


def test_an_owner_adds_an_endpoint_and_sees_the_secret_once(shop, owner_client):
    answer = _add(owner_client)
    endpoint = _endpoint(shop)
    assert answer.status_code == 302 and answer["Location"] == f"/manage/webhooks/{endpoint.uuid}/"
    assert (endpoint.url, endpoint.events, endpoint.livemode, endpoint.is_active) == (
        NEW["url"], ["debit.failed", "debit.paid"], False, True
    )
    first = owner_client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    secret = re.search(r'id="webhook-secret">(whsec_[\w-]+)<', first).group(1)
    assert "shown this once only" in first
    again = owner_client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert secret not in again and "webhook-secret" not in again
    listing = owner_client.get("/manage/webhooks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert NEW["url"] in listing and "Test" in listing and "Sending" in listing


@pytest.mark.parametrize(
    "body",
    [{**NEW, "url": "ftp://x.example.com"}, {**NEW, "events": []}, {**NEW, "events": ["nope"]},
     {**NEW, "url": "http://10.0.0.1/hook"}],
)  # fmt: skip
def test_bad_endpoints_are_form_errors_and_nothing_is_written(shop, owner_client, body):
    answer = _add(owner_client, body)
    assert answer.status_code == 400 and 'class="errorlist' in answer.content.decode()
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 0


def test_live_mode_refuses_private_addresses_and_plain_http(shop, owner_client):
    shop.mode = ShopMode.LIVE
    shop.save(update_fields=["mode"])
    for url in ("http://hooks.example.com/x", "https://127.0.0.1/x", "https://169.254.169.254/latest"):
        assert _add(owner_client, {**NEW, "url": url}).status_code == 400
    with schema_context(shop.schema_name):
        assert WebhookEndpoint.objects.count() == 0


def test_pause_resume_log_resend_and_export(shop, owner_client, monkeypatch):
    _add(owner_client)
    endpoint = _endpoint(shop)
    with schema_context(shop.schema_name):
        outbox_emit(kind="debit.paid", aggregate_uuid=uuid.uuid4(), payload=PAID, livemode=False)
        webhook_deliveries_enqueue()
        delivery = WebhookDelivery.objects.get()
    page = f"/manage/webhooks/{endpoint.uuid}/"
    assert owner_client.post(page + "disable/").status_code == 302
    assert _endpoint(shop).is_active is False
    assert owner_client.post(page + "enable/").status_code == 302
    assert _endpoint(shop).is_active is True

    monkeypatch.setattr("socket.getaddrinfo", lambda host, port, **kw: [(2, 1, 6, "", ("93.184.215.14", port))])
    monkeypatch.setattr("pawpact.outbox.webhooks._post", lambda url, body, headers: 503)
    owner_client.post(f"{page}deliveries/{delivery.uuid}/resend/")
    html = owner_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "HTTP 503" in html and "Not delivered yet" in html
    monkeypatch.setattr("pawpact.outbox.webhooks._post", lambda url, body, headers: 204)
    owner_client.post(f"{page}deliveries/{delivery.uuid}/resend/")
    with schema_context(shop.schema_name):
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 204)

    csv = owner_client.get(page + "?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "Created,Event,Event type,Status,Attempts,Response code,Error,Next attempt,Delivered"
    assert len(lines) == 2 and f"{opaque_id(EVENT, delivery.event_id, schema_name=shop.schema_name)},debit.paid,Delivered,2,204," in lines[1]
    xlsx = owner_client.get(page + "?export=xlsx&status=failed")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_managers_may_clerks_may_not(shop, manager_client, clerk_client, owner_client):
    assert manager_client.get("/manage/webhooks/").status_code == 200
    assert clerk_client.get("/manage/webhooks/").status_code == 403
    assert _add(clerk_client).status_code == 403
    _add(owner_client)
    endpoint = _endpoint(shop)
    assert clerk_client.post(f"/manage/webhooks/{endpoint.uuid}/disable/").status_code == 403
    assert clerk_client.get(f"/manage/webhooks/{endpoint.uuid}/?export=csv").status_code == 403
    assert _endpoint(shop).is_active is True


def test_another_shops_staff_cannot_see_or_touch_an_endpoint(shop, other_shop, owner_client):
    _add(owner_client)
    endpoint = _endpoint(shop)
    intruder = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert NEW["url"] not in intruder.get("/manage/webhooks/").content.decode()
    assert intruder.get(f"/manage/webhooks/{endpoint.uuid}/").status_code == 404
    assert intruder.post(f"/manage/webhooks/{endpoint.uuid}/disable/").status_code == 404
    assert intruder.post(f"/manage/webhooks/{endpoint.uuid}/delete/").status_code == 404
    assert _endpoint(shop).is_active is True


def test_pages_in_chinese(owner_client):
    owner_client.cookies["django_language"] = "zh-hans"
    html = owner_client.get("/manage/webhooks/").content.decode()
    assert "添加端点" in html and "Add endpoint" not in html
