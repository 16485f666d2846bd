"""Stored Stripe events applied in the schema of the shop they belong to (from a task).

The shop side does the applying (pawpact.tenants.ports.ShopSide); this module keeps the
inbox row's status, so a repeated or late event is handled once and leaves a note.
"""
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from pawpact.platform.models import WebhookEvent, WebhookStatus
from pawpact.tenants.ports import PaymentEventOutcome, shop_side

PROVIDER = "stripe"
SUCCEEDED = "payment_intent.succeeded"
PAYMENT_FAILED = "payment_intent.payment_failed"
HANDLED_TYPES = (SUCCEEDED, PAYMENT_FAILED)
REQUEUE_AFTER = timedelta(minutes=5)
_STATUS_OF = {
    PaymentEventOutcome.APPLIED: WebhookStatus.PROCESSED,
    PaymentEventOutcome.IGNORED: WebhookStatus.IGNORED,
    PaymentEventOutcome.REJECTED: WebhookStatus.FAILED,
}


def intent_of(payload: dict) -> dict:
    obj = (payload.get("data") or {}).get("object")
    return obj if isinstance(obj, dict) else {}


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
    outcome = shop_side().payment_event_apply(succeeded=event.event_type == SUCCEEDED, payment=intent_of(event.payload))
    return _close(event, _STATUS_OF[outcome.status], outcome.note)


def _close(event: WebhookEvent, status: str, note: str) -> WebhookEvent:
    event.status, event.error, event.processed_at = status, note, timezone.now()
    event.save(update_fields=["status", "error", "processed_at"])
    return event


def stripe_events_waiting(*, older_than: timedelta = REQUEUE_AFTER) -> list[tuple[int, str]]:
    """(event id, shop schema) of events still waiting well after they arrived: the broker
    was down, or a worker lost them."""
    return list(
        WebhookEvent.objects.filter(
            provider=PROVIDER, status=WebhookStatus.RECEIVED, received_at__lt=timezone.now() - older_than
        ).values_list("pk", "shop_schema")
    )
