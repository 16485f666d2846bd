"""Outbound webhooks: the shop's outbox events delivered, signed, to developers' endpoints.

Each minute, per shop, `webhook_deliveries_enqueue` turns new outbox events into one
delivery per subscribed endpoint of the event's mode, and `webhook_deliver_due` posts the
due ones. A delivery is signed as Stripe signs its events:

    Pawpact-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

A receiver recomputes v1 over the raw body and refuses timestamps older than five minutes
(`webhook_signature_verify` does both). Anything but a 2xx answer within ten seconds is
retried with growing pauses (1 min … 12 h) until three days after the event; then the
delivery is `failed`, and can be sent again by hand (`webhook_delivery_resend`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import CATALOGUE
from pawpact.core.opaque_ids import EVENT, opaque_id
from pawpact.outbox.errors import WebhookEventsInvalid, WebhookUrlInvalid
from pawpact.outbox.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from pawpact.outbox.url_guard import AddressRefused, url_addresses_check, url_host_allowed
from pawpact.tenants.modes import current_livemode
from pawpact.tenants.secrets import secret_decrypt, secret_encrypt

SIGNATURE_HEADER = "Pawpact-Signature"
TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 10
RETRY_WINDOW = timedelta(days=3)
# Pause before attempt n+1 after n failures; the last repeats until the window closes.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=5), timedelta(hours=12))  # fmt: skip
BATCH = 100
# (url, body bytes, headers) -> HTTP status; raises OSError/requests errors when unreachable.
Transport = Callable[[str, bytes, dict], int]


def _post(url: str, body: bytes, headers: dict) -> int:
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False).status_code


def _guarded_post(livemode: bool) -> Transport:
    """The real transport: the addresses the URL resolves to are checked first (url_guard)."""

    def post(url: str, body: bytes, headers: dict) -> int:
        url_addresses_check(url, livemode=livemode)
        return _post(url, body, headers)

    return post


def webhook_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_signature_verify(*, secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a receiver does: the header's v1 matches the body and its timestamp is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = webhook_signature(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _validated(url: str, events: list, livemode: bool) -> tuple[str, list[str]]:
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or (livemode and url.startswith("http:")):
        raise WebhookUrlInvalid(_("Use an https URL (http only in test mode)."), fields={"url": [_("Not allowed.")]})
    if not url_host_allowed(url, livemode=livemode):
        raise WebhookUrlInvalid(
            _("Webhooks go to public addresses only (and to this computer in test mode)."),
            fields={"url": [_("This address is private, local or reserved.")]},
        )
    unknown = sorted(set(events) - set(CATALOGUE)) if isinstance(events, list) else ["?"]
    if not events or unknown:
        raise WebhookEventsInvalid(
            _("Choose event types from the catalogue."), fields={"events": [_("Unknown: %s") % ", ".join(unknown)]}
        )
    return url, sorted(set(events))


@transaction.atomic
def webhook_endpoint_create(*, url: str, events: list[str], description: str = "") -> tuple[WebhookEndpoint, str]:
    """A new endpoint in the shop's current mode and its signing secret (returned once only).
    It receives events emitted from now on."""
    livemode = current_livemode()
    url, events = _validated(url, events, livemode)
    secret = "whsec_" + secrets.token_urlsafe(32)
    latest = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    endpoint = WebhookEndpoint.objects.create(
        uuid=uuid.uuid4(), url=url, events=events, description=description, livemode=livemode,
        secret_ciphertext=secret_encrypt({"secret": secret}), cursor=latest,
    )  # fmt: skip
    return endpoint, secret


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    url, events = _validated(changes.get("url", endpoint.url), changes.get("events", endpoint.events), endpoint.livemode)
    endpoint.url, endpoint.events = url, events
    endpoint.description = changes.get("description", endpoint.description)
    endpoint.is_active = changes.get("is_active", endpoint.is_active)
    endpoint.save(update_fields=["url", "events", "description", "is_active"])
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def webhook_deliveries_enqueue(*, clock: Clock = default_clock) -> int:
    """One pending delivery per (new event, subscribed endpoint of its mode). How many were made."""
    made = 0
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        with transaction.atomic():
            locked = WebhookEndpoint.objects.select_for_update(skip_locked=True).filter(pk=endpoint.pk).first()
            if locked is None:
                continue
            events = list(OutboxEvent.objects.filter(id__gt=locked.cursor).order_by("id")[: BATCH * 10])
            wanted = [e for e in events if e.kind in locked.events and e.livemode == locked.livemode]
            WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(uuid=uuid.uuid4(), endpoint=locked, event=e, next_attempt_at=clock.now()) for e in wanted],
                ignore_conflicts=True,
            )  # fmt: skip
            if events:
                locked.cursor = events[-1].id
                locked.save(update_fields=["cursor"])
            made += len(wanted)
    return made


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$")


def shop_times(value):
    """`value` with every instant in it (an ISO 8601 time with an offset) at the shop's offset,
    as the API answers them: events are stored in UTC, a webhook reads like the API."""
    if isinstance(value, dict):
        return {key: shop_times(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [shop_times(inner) for inner in value]
    if isinstance(value, str) and _INSTANT.match(value):
        return timezone.localtime(datetime.fromisoformat(value)).isoformat()
    return value


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The JSON posted: the event as the API shows objects."""
    event = delivery.event
    body = {
        "object": "event", "id": opaque_id(EVENT, event.id), "type": event.kind, "livemode": event.livemode,
        "created": int(event.created_at.timestamp()), "data": {"object": shop_times(event.payload)},
        "delivery_id": str(delivery.uuid),
    }  # fmt: skip
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str).encode()


def _attempt(delivery: WebhookDelivery, transport: Transport | None, clock: Clock) -> None:
    transport = transport or _guarded_post(delivery.endpoint.livemode)
    now = clock.now()
    body = webhook_body(delivery)
    secret = secret_decrypt(delivery.endpoint.secret_ciphertext)["secret"]
    headers = {"Content-Type": "application/json", "User-Agent": "Pawpact-Webhooks/1",
               SIGNATURE_HEADER: webhook_signature(secret=secret, body=body, timestamp=int(now.timestamp()))}  # fmt: skip
    delivery.attempts += 1
    try:
        status = transport(delivery.endpoint.url, body, headers)
        delivery.last_status_code, delivery.last_error = status, ""
    except AddressRefused as error:
        status, delivery.last_status_code, delivery.last_error = 0, None, str(error)[:300]
    except (OSError, requests.RequestException) as error:
        status, delivery.last_status_code, delivery.last_error = 0, None, type(error).__name__[:300]
    if 200 <= status < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, now, None
    else:
        pause = BACKOFF[min(delivery.attempts - 1, len(BACKOFF) - 1)]
        if now + pause > delivery.event.created_at + RETRY_WINDOW:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + pause
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at", "next_attempt_at"])


def webhook_deliver_due(*, transport: Transport | None = None, clock: Clock = default_clock) -> int:
    """Post every due delivery once (a row at a time, locked, so two workers never send one twice)."""
    sent = 0
    while sent < BATCH:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .select_related("endpoint", "event")
                .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=clock.now())
                .order_by("next_attempt_at", "id")
                .first()
            )
            if delivery is None:
                return sent
            _attempt(delivery, transport, clock)
        sent += 1
    return sent


def webhook_delivery_resend(
    *, delivery: WebhookDelivery, transport: Transport | None = None, clock: Clock = default_clock
) -> WebhookDelivery:
    """Send one delivery again now, whatever its state (a developer fixed their endpoint)."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().select_related("endpoint", "event").get(pk=delivery.pk)
        locked.status = WebhookDelivery.Status.PENDING
        _attempt(locked, transport, clock)
        if locked.status == WebhookDelivery.Status.PENDING:
            # A manual attempt does not restart the automatic schedule of a given-up delivery.
            if delivery.status == WebhookDelivery.Status.FAILED:
                locked.status, locked.next_attempt_at = WebhookDelivery.Status.FAILED, None
                locked.save(update_fields=["status", "next_attempt_at"])
    return locked
