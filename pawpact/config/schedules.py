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
    }
