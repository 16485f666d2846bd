from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEvent(models.Model):
    """A fact the platform needs, written in the same transaction as the fact itself,
    drained into public tables by the platform layer."""

    kind = models.CharField(max_length=40)
    aggregate_uuid = models.UUIDField(db_index=True)
    payload = models.JSONField()
    # The mode of the record the fact is about: a live platform takes in live facts only.
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(published_at__isnull=True), name="outbox_unpublished_idx")
        ]
