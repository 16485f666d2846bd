from django.db import models
from django.utils import timezone


class SandboxCharge(models.Model):
    """A charge the sandbox payment rail has processed. Like a real rail, it answers a
    repeated idempotency key with the first outcome instead of charging again."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    shop_schema = models.CharField(max_length=63)
    token = models.CharField(max_length=255)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=40)
    reference = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
