"""Stripe webhooks: verified, stored once in the public inbox, answered at once, and
processed by a task in the schema of the shop the event belongs to.

Only the signature makes an event trustworthy; its age bounds replays. Stripe's
library refuses old timestamps only, so timestamps from the future are refused here.
"""
import json
import time
from datetime import UTC, datetime, timedelta

import stripe
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, schema_context

from pawpact.billing.enums import AttemptStatus
from pawpact.billing.models import DebitAttempt
from pawpact.billing.rails.base import ChargeResult
from pawpact.billing.rails.stripe_rail import decline_type_for
from pawpact.billing.services.debits import attempt_finish
from pawpact.core.errors import ValidationFailed
from pawpact.platform.models import WebhookEvent, WebhookStatus
from pawpact.tenants.models import Shop

PROVIDER = "stripe"
SUCCEEDED = "payment_intent.succeeded"
PAYMENT_FAILED = "payment_intent.payment_failed"
HANDLED_TYPES = (SUCCEEDED, PAYMENT_FAILED)
REQUEUE_AFTER = timedelta(minutes=5)


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


def _intent(payload: dict) -> dict:
    obj = (payload.get("data") or {}).get("object")
    return obj if isinstance(obj, dict) else {}


def _shop_schema_of(payload: dict) -> str:
    schema = (_intent(payload).get("metadata") or {}).get("shop_schema", "")
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
                _enqueue(event_id=event_id, shop_schema=shop_schema)

            transaction.on_commit(enqueue_on_commit, robust=True)
    return event, True


def stripe_event_requeue(*, older_than: timedelta = REQUEUE_AFTER) -> int:
    """Enqueue again the events still waiting well after they arrived (the broker was down,
    or a worker lost them). Processing is idempotent, so a double enqueue is harmless."""
    waiting = WebhookEvent.objects.filter(
        provider=PROVIDER, status=WebhookStatus.RECEIVED, received_at__lt=timezone.now() - older_than
    ).values_list("pk", "shop_schema")
    count = 0
    for event_id, shop_schema in waiting.iterator():
        _enqueue(event_id=event_id, shop_schema=shop_schema)
        count += 1
    return count


def _enqueue(*, event_id: int, shop_schema: str) -> None:
    # Imported here: the task module imports this one.
    from pawpact.billing.rails.tasks import stripe_webhook_process_task

    # tenant-schemas-celery sends the current schema with the task: the shop's.
    with schema_context(shop_schema):
        stripe_webhook_process_task.delay(event_id)


# --- processing (in the shop's schema, from the task) ---


def _attempt_for(metadata: dict) -> DebitAttempt | None:
    key = str(metadata.get("idempotency_key", ""))
    attempt_id = str(metadata.get("attempt_id", ""))
    if attempt_id.isdigit():
        attempt = DebitAttempt.objects.filter(pk=int(attempt_id)).first()
        # The key is the stronger identity: an id alone could point at another attempt.
        if attempt is not None and key and attempt.idempotency_key != key:
            return None
        return attempt
    return DebitAttempt.objects.filter(idempotency_key=key).first() if key else None


def _result_of(event_type: str, intent: dict) -> ChargeResult:
    reference = str(intent.get("id", ""))
    if event_type == SUCCEEDED:
        return ChargeResult(succeeded=True, outcome="succeeded", reference=reference)
    error = intent.get("last_payment_error") or {}
    reason = error.get("decline_code") or error.get("code") or "payment_failed"
    return ChargeResult(succeeded=False, outcome=reason, reference=reference, decline_type=decline_type_for(reason))


def stripe_event_process(*, event_id: int) -> WebhookEvent | None:
    """Apply a stored event to its debit attempt, once. A finished attempt is never
    changed: a late or repeated event only leaves a note on the inbox row."""
    try:
        with transaction.atomic():
            return _process(event_id)
    except Exception as error:
        WebhookEvent.objects.filter(pk=event_id, status__in=(WebhookStatus.RECEIVED, WebhookStatus.FAILED)).update(
            status=WebhookStatus.FAILED, error=repr(error)[:2000]
        )
        raise


def _process(event_id: int) -> WebhookEvent | None:
    event = WebhookEvent.objects.select_for_update().filter(pk=event_id, provider=PROVIDER).first()
    if event is None or event.status not in (WebhookStatus.RECEIVED, WebhookStatus.FAILED):
        return event  # gone, or already handled: run twice, one effect
    if event.shop_schema != connection.schema_name:
        return _close(event, WebhookStatus.FAILED, f"processed in {connection.schema_name}, not {event.shop_schema}")
    intent = _intent(event.payload)
    attempt = _attempt_for(intent.get("metadata") or {})
    if attempt is None:
        return _close(event, WebhookStatus.IGNORED, "no debit attempt for this payment")
    if intent.get("amount") != attempt.amount_minor:
        return _close(event, WebhookStatus.FAILED, f"amount {intent.get('amount')} != attempt {attempt.amount_minor}")
    was_open = attempt.status == AttemptStatus.STARTED
    attempt = attempt_finish(attempt_id=attempt.pk, result=_result_of(event.event_type, intent))
    note = "" if was_open else f"attempt already {attempt.status}: left unchanged"
    return _close(event, WebhookStatus.PROCESSED, note)


def _close(event: WebhookEvent, status: str, note: str) -> WebhookEvent:
    event.status, event.error, event.processed_at = status, note, timezone.now()
    event.save(update_fields=["status", "error", "processed_at"])
    return event
