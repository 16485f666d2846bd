"""What the drain reads from a shop's outbox (run in the shop's schema)."""
from django.db.models import Count, Min

from pawpact.outbox.models import OutboxEvent


def outbox_unpublished_batch(*, limit: int) -> list[dict]:
    """The oldest unpublished events, in id order, as plain dicts."""
    return list(
        OutboxEvent.objects.filter(published_at__isnull=True)
        .order_by("id")
        .values("id", "kind", "aggregate_uuid", "payload", "livemode", "created_at")[:limit]
    )


def outbox_waiting() -> dict:
    """{"count": unpublished events, "oldest": when the oldest was written, or None}."""
    return OutboxEvent.objects.filter(published_at__isnull=True).aggregate(count=Count("id"), oldest=Min("created_at"))
