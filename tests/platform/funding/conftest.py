"""Funding tests: tenant events written straight into the session shops' outboxes (or by
signing real contracts), drained and applied under a fixed clock. Rolled back after each test."""
import uuid
from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.funding.ledger import ledger_check

# 10:00 in Beijing on Monday 16 March 2026.
NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)
VALUE, MONTHLY, PERIODS = 478_800, 39_900, 12


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def signed(contract_uuid, *, total=VALUE, monthly=MONTHLY, periods=PERIODS, signed_at=NOW) -> tuple[str, dict]:
    return "contract.signed", {
        "contract_uuid": str(contract_uuid),
        "customer_uuid": str(uuid.uuid4()),
        "plan_code": "basic",
        "plan_version": 1,
        "monthly_amount_minor": monthly,
        "periods": periods,
        "total_minor": total,
        "currency": "CNY",
        "signed_at": signed_at.isoformat(),
    }


def paid(contract_uuid, period, *, amount=MONTHLY, attempt=1) -> tuple[str, dict]:
    return "debit.paid", {
        "contract_uuid": str(contract_uuid),
        "period_number": period,
        "amount_minor": amount,
        "currency": "CNY",
        "attempt_number": attempt,
        "outcome": "succeeded",
        "at": NOW.isoformat(),
    }


def terminated(contract_uuid, reason) -> tuple[str, dict]:
    return "contract.terminated", {"contract_uuid": str(contract_uuid), "reason": reason}


def emit(shop, *events: tuple[str, dict], at: datetime = NOW) -> list[int]:
    """Write outbox rows in the shop's schema, as billing does; returns their ids."""
    with schema_context(shop.schema_name):
        return [
            OutboxEvent.objects.create(
                kind=kind, aggregate_uuid=uuid.UUID(payload["contract_uuid"]), payload=payload, created_at=at
            ).pk
            for kind, payload in events
        ]


def drain(shop, clock):
    with schema_context(shop.schema_name):
        return outbox_drain_and_apply(shop=shop, clock=clock)


def assert_ledger_ok():
    check = ledger_check()
    assert check.problems == []
    return check
