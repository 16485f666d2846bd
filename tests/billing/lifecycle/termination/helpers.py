"""Contracts built through the real signing flow and paid by the real debit run, for the
exit tests and the lifecycle scenarios. Call inside the shop's schema, under time_machine.

Time starts at 10:00 in Beijing on Monday 9 March 2026: a Basic contract signed then has
period 1 paid at once, periods 2–12 due on the 10th of April 2026 … February 2027 (10 April is
32 days later, over the rails' 28-day minimum period), and a cooling-off window up to and
including 16 March 2026.
"""
import itertools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connection

from pawpact.billing.enums import ContractStatus
from pawpact.billing.ledger import account_balances
from pawpact.billing.models import (
    Contract,
    DebitPeriod,
    Journal,
    LedgerLine,
    Plan,
    PlanVersion,
    Termination,
    TerminationQuote,
)
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.signing import (
    application_create,
    application_credit_check,
    contract_attach_payment_method,
    contract_sign,
)
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create, customer_register, pet_create
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from tests.consent import consented

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 9)
LOW, HIGH = "000", "999"  # sandbox credit scores 350 (deposit held) and 950 (waived)

_phones = itertools.count(1)


def beijing(day: date, at: time = time(10, 0)) -> datetime:
    """An instant on `day` in Beijing, as UTC."""
    return datetime.combine(day, at, tzinfo=BEIJING).astimezone(UTC)


def plan_version(code: str = "basic") -> PlanVersion:
    return Plan.objects.get(code=code).versions.order_by("-version").first()


def adopt(
    *,
    plan_code: str = "basic",
    suffix: str = LOW,
    token: str = "tok_success",
    version: PlanVersion | None = None,
    customer: Customer | None = None,
) -> Contract:
    """An active contract signed now: period 1 paid, the deposit held when the score is low
    (the score comes from the customer's phone number: "…000" low, "…999" high)."""
    n = next(_phones)
    if customer is None:
        customer = customer_create(name=f"Adopter {n}", phone=f"137{n:05d}{suffix}", birth_date=date(1995, 5, 5))
    pet = pet_create(owner=customer, name=f"Mimi {n}", species="cat", breed="Ragdoll")
    version = version or plan_version(plan_code)
    contract = application_create(customer=customer, pet=pet, plan_version_id=version.pk)
    application_credit_check(contract=consented(contract))
    contract = contract_sign(contract=contract, signer_name=customer.name, ip="203.0.113.7", user_agent="pytest")
    method = payment_method_attach(customer=customer, rail="sandbox", token=token)
    contract = contract_attach_payment_method(contract=contract, payment_method=method)
    contract = contract_activate(contract=contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    return contract


def collect_through(contract: Contract, number: int, traveller) -> None:
    """Travel to each due date up to period `number` (10:00 Beijing) and run the shop's debit run."""
    for period in DebitPeriod.objects.filter(contract=contract, number__gt=1, number__lte=number).order_by("number"):
        traveller.move_to(beijing(period.due_date))
        debit_run_shop()


def balances(contract: Contract) -> dict[str, int]:
    return account_balances(contract=contract)


def journal_lines(contract: Contract, *, since_id: int = 0) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """(kind, key, sorted lines) of the contract's journals, oldest first."""
    journals = Journal.objects.filter(contract=contract, pk__gt=since_id).order_by("id").prefetch_related("lines")
    return [
        (journal.kind, journal.idempotency_key, sorted((line.account, line.amount_minor) for line in journal.lines.all()))
        for journal in journals
    ]


def snapshot() -> dict:
    """Everything a refused exit must leave as it was."""
    return {
        "contracts": sorted(Contract.objects.values_list("id", "status", "deposit_status", "ended_at")),
        "periods": sorted(DebitPeriod.objects.values_list("id", "status")),
        "journals": Journal.objects.count(),
        "lines": LedgerLine.objects.count(),
        "outbox": OutboxEvent.objects.count(),
        "terminations": Termination.objects.count(),
        "quotes": TerminationQuote.objects.count(),
        # The sandbox bank is shared (public schema): count this shop's movements.
        "sandbox": SandboxCharge.objects.filter(shop_schema=connection.schema_name).count(),
    }


def terminated_events(contract: Contract) -> list[dict]:
    return list(
        OutboxEvent.objects.filter(aggregate_uuid=contract.uuid, kind="contract.terminated")
        .order_by("id")
        .values_list("payload", flat=True)
    )


def customer_with_token(*, suffix: str = LOW) -> tuple[Customer, str]:
    """A self-registered customer of the current shop and their API token."""
    n = next(_phones)
    return customer_register(
        email=f"adopter{n}@example.com",
        password="correct-horse-battery",
        name=f"Adopter {n}",
        phone=f"137{n:05d}{suffix}",
        birth_date=date(1995, 5, 5),
    )


def assert_ledger_ok() -> None:
    """Every journal balances, and the ledger matches the payments, deposits, penalties and refunds."""
    from pawpact.billing.ledger import unbalanced_journals
    from pawpact.billing.selectors import ledger_check

    assert unbalanced_journals() == []
    assert ledger_check().problems == []
