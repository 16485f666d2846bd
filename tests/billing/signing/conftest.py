"""Signing tests run inside the session shop "alpha", whose schema got the seed plans
when it was provisioned. Every test's rows are rolled back after it."""
import itertools
from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, Journal, Plan
from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge

# 10:00 in Beijing on Monday 16 March 2026.
NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)
ADULT_BIRTH_DATE = date(1995, 5, 5)

_phones = itertools.count(1)


def phone_ending(suffix: str) -> str:
    """A fresh mainland mobile number ending in `suffix` (the sandbox credit score's input)."""
    return f"139{next(_phones):05d}{suffix}"


@pytest.fixture
def in_shop(shop):
    with schema_context(shop.schema_name):
        yield shop


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def basic(in_shop):
    """The seed Basic plan's current version: 399 × 12."""
    return Plan.objects.get(code="basic").versions.get(version=1)


def counts() -> dict[str, int]:
    """Everything a refused step must leave as it was."""
    return {
        "contracts": Contract.objects.count(),
        "journals": Journal.objects.count(),
        "periods": DebitPeriod.objects.count(),
        "attempts": DebitAttempt.objects.count(),
        "outbox": OutboxEvent.objects.count(),
        "sandbox_charges": SandboxCharge.objects.count(),
    }
