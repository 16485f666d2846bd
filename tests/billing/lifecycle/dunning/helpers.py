"""Contracts that fall behind, and days to run the jobs on (Beijing time).

The contract is signed on Monday 12 January 2026 on a plan debited on the 10th:
period 1 (¥399.00) is paid at signing, period 2 is due on 10 February 2026.
Every helper runs inside the shop's schema (`schema_context`).
"""
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, Journal
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.dunning import dunning_run_shop
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.messaging.models import Message
from pawpact.outbox.models import OutboxEvent
from tests.billing.debits.factories import SIGNED_ON, contract_create, plan_version_create, token_set

BEIJING = ZoneInfo("Asia/Shanghai")
DUE = date(2026, 2, 10)  # period 2
MONTHLY = 39_900


def at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


@contextmanager
def on(day: date, hour: int = 9, minute: int = 30):
    with time_machine.travel(at(day, hour, minute), tick=False):
        yield


def day(n: int) -> date:
    """February 2026, day n."""
    return date(2026, 2, n)


def settings_set(**values):
    row = billing_settings_get()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def late_contract(token: str, *, periods: int = 12) -> Contract:
    """Period 1 paid at signing, then the saved method starts answering `token`."""
    with on(SIGNED_ON, 12, 0):
        contract = contract_create(plan_version=plan_version_create(debit_day=10, periods=periods), signed_on=SIGNED_ON)
        attempt = period_collect(period=period(contract, 1))
        assert attempt.status == "succeeded"
    token_set(contract, token)
    return contract


def period(contract: Contract, number: int) -> DebitPeriod:
    return DebitPeriod.objects.get(contract=contract, number=number)


def debit_run_on(when: date) -> None:
    """The debit run just after midnight (it runs every quarter hour)."""
    with on(when, 0, 15):
        debit_run_shop()


def dunning_on(when: date, *, times: int = 1):
    reports = []
    with on(when):
        for _ in range(times):
            reports.append(dunning_run_shop())
    return reports


def attempts(contract: Contract, number: int = 2) -> list[tuple]:
    return list(
        DebitAttempt.objects.filter(period__contract=contract, period__number=number)
        .order_by("number")
        .values_list("number", "status", "outcome", "decline_type")
    )


def state(contract: Contract, number: int = 2) -> tuple:
    """(status, next_retry_on, overdue_since) of one period, and the customer's standing."""
    p = period(contract, number)
    contract.customer.refresh_from_db()
    return p.status, p.next_retry_on, p.overdue_since, contract.customer.standing


def events(contract: Contract, *kinds: str) -> list[tuple[str, dict]]:
    rows = OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).order_by("id")
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return list(rows.values_list("kind", "payload"))


def messages(contract: Contract, topic: str | None = None) -> list[tuple[str, str, str]]:
    rows = Message.objects.filter(customer=contract.customer).order_by("id")
    if topic:
        rows = rows.filter(topic=topic)
    return list(rows.values_list("topic", "channel", "body"))


def journal_keys(contract: Contract) -> list[str]:
    return list(Journal.objects.filter(contract=contract).order_by("id").values_list("idempotency_key", flat=True))

