"""What a payment rail answered, as the rows that record a charge keep it.

An abstract model (no table of its own): the shop apps' charge attempts (a shop order's
payment, a stored-value top-up, the cash part of a mall redemption) inherit these columns
rather than each repeating them. It lives here, below every app that charges through a
rail, because the fields are the rail's (pawpact.payments.base.ChargeResult's outcome and
reference); it names no shop model, so the rails stay free of them.
"""
from django.db import models


class RailAnswer(models.Model):
    """The rail's outcome code (`succeeded`, `insufficient_funds`, …), the provider's
    reference, and when the answer was recorded (empty while the charge is in flight)."""

    outcome = models.CharField(max_length=60, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
