"""Test clocks, as Stripe has them: a test-mode contract attached to a clock lives at the
clock's time, and only advancing the clock moves it (pawpact.billing.services.test_clocks)."""
import uuid

from django.db import models
from django.utils import timezone


class TestClock(models.Model):
    """A developer's frozen instant in test mode; its contracts are billed at that instant."""

    __test__ = False  # not a pytest test class, whatever its name

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, blank=True)
    frozen_time = models.DateTimeField()
    # Set while a request advances the clock, so two advances never run the same days.
    advancing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name or str(self.uuid)
