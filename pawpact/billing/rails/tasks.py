"""Thin task entry points of the payment rails."""
from django.db import OperationalError

from pawpact.core.tasks import public_task, tenant_task
from pawpact.platform.webhooks import stripe_event_process, stripe_event_requeue


@tenant_task(
    "billing.stripe_webhook_process",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def stripe_webhook_process_task(event_id: int) -> None:
    """Apply one stored Stripe event, in the schema of the shop it belongs to."""
    stripe_event_process(event_id=event_id)


@public_task("billing.stripe_webhook_requeue")
def stripe_webhook_requeue_task() -> None:
    """Periodic: enqueue again stored events that were never processed."""
    stripe_event_requeue()
