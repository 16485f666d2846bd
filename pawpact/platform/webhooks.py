"""Stripe webhooks: verified, stored once in the public inbox, answered at once, and
processed by a task in the schema of the shop the event belongs to.

Only the signature makes an event trustworthy; its age bounds replays. Stripe's
library refuses old timestamps only, so timestamps from the future are refused here.
"""
import json
import time
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name

from pawpact.core.errors import ValidationFailed
from pawpact.platform.models import WebhookEvent, WebhookStatus
from pawpact.platform.stripe_events import HANDLED_TYPES, PROVIDER, intent_of
from pawpact.platform.tasks import stripe_event_enqueue
from pawpact.tenants.models import Shop


class WebhookRejected(ValidationFailed):
    code = "webhook_rejected"


# --- receiving (public schema, in the request) ---


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        payload = stripe_event_verify(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except WebhookRejected as error:
        return JsonResponse(error.as_dict(), status=400)
    _event, created = stripe_event_receive(payload=payload)
    return JsonResponse({"received": True, "duplicate": not created})


def _signed_at(signature: str) -> int | None:
    for item in signature.split(","):
        name, _sep, value = item.strip().partition("=")
        if name == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def stripe_event_verify(*, payload: bytes, signature: str) -> dict:
    """The event, if Stripe signed exactly this payload within the tolerance; else WebhookRejected."""
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
    signed_at = _signed_at(signature)
    if signed_at is None:
        raise WebhookRejected(
            _("The Stripe-Signature header is missing or malformed."), code="webhook_signature_invalid"
        )
    # Checked before the signature as well as by it: a stale or future-dated event is refused
    # whether or not its signature is good, and says which.
    now = time.time()
    if signed_at < now - tolerance:
        raise WebhookRejected(_("The webhook's timestamp is too old."), code="webhook_timestamp_stale")
    if signed_at > now + tolerance:
        raise WebhookRejected(_("The webhook's timestamp is in the future."), code="webhook_timestamp_future")
    try:
        stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=tolerance)
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        raise WebhookRejected(_("The webhook's signature is not valid."), code="webhook_signature_invalid") from None
    except ValueError:  # not UTF-8 or not JSON
        raise WebhookRejected(_("The webhook's body is not JSON."), code="webhook_payload_invalid") from None
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and 0 < len(event["id"]) <= 255
        and 0 < len(event["type"]) <= 80
    ):
        raise WebhookRejected(_("The webhook is not a Stripe event."), code="webhook_payload_invalid")
    return event


def _shop_schema_of(payload: dict) -> str:
    schema = (intent_of(payload).get("metadata") or {}).get("shop_schema", "")
    return schema if isinstance(schema, str) else ""


def _is_shop(schema: str) -> bool:
    return bool(schema) and schema != get_public_schema_name() and Shop.objects.filter(schema_name=schema).exists()


def stripe_event_receive(*, payload: dict) -> tuple[WebhookEvent, bool]:
    """Store a verified event once per event id; enqueue its processing in its shop on commit.
    Returns (event, created): a redelivery stores nothing and enqueues nothing."""
    shop_schema = _shop_schema_of(payload)
    status, error = WebhookStatus.RECEIVED, ""
    if payload["type"] not in HANDLED_TYPES:
        status, error = WebhookStatus.IGNORED, "event type not handled"
    elif not _is_shop(shop_schema):
        status, error = WebhookStatus.IGNORED, "unknown shop schema"
    created_at = payload.get("created")
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    provider=PROVIDER,
                    event_id=payload["id"],
                    event_type=payload["type"],
                    shop_schema=shop_schema[:63],
                    payload=payload,
                    created_by_provider_at=datetime.fromtimestamp(created_at, UTC)
                    if isinstance(created_at, int) else None,
                    status=status,
                    error=error,
                    processed_at=timezone.now() if status == WebhookStatus.IGNORED else None,
                )  # fmt: skip
        except IntegrityError:
            return WebhookEvent.objects.get(provider=PROVIDER, event_id=payload["id"]), False
        if status == WebhookStatus.RECEIVED:
            # robust: a broker that is down must not turn the stored event into a 500 (Stripe
            # would redeliver a duplicate); stripe_event_requeue picks it up later.
            # (A closure, not functools.partial: Django logs a failing hook by its __qualname__.)
            def enqueue_on_commit(event_id=event.pk):
                stripe_event_enqueue(event_id=event_id, shop_schema=shop_schema)

            transaction.on_commit(enqueue_on_commit, robust=True)
    return event, True
