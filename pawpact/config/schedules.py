"""Every periodic job of Pawpact, in one place.

Each entry has `expires` so a beat tick that no worker picked up in time is
dropped, not piled up (PostHog's add_periodic_task_with_expiry). Per-shop jobs
are public dispatchers that fan out over ready shops.
"""
from celery.schedules import crontab


def _every(schedule, task: str, *, expires: int) -> dict:
    return {"task": task, "schedule": schedule, "options": {"expires": expires}}


def beat_schedule() -> dict:
    return {
        "platform-heartbeat": _every(crontab(minute="*/5"), "core.heartbeat", expires=240),
        # Every quarter hour: a period becomes due at its not_before (its rail's allowed
        # hours), and each run charges it at most once.
        "billing-debit-run": _every(crontab(minute="*/15"), "billing.debit_run_dispatch", expires=600),
        # Webhooks whose processing task could not be enqueued (broker down) are sent again.
        "billing-stripe-webhook-requeue": _every(
            crontab(minute="*/5"), "billing.stripe_webhook_requeue", expires=240
        ),
    }
