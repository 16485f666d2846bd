"""Default: the periods not yet due are cancelled, the overdue ones stay owed, and a held
deposit pays what is owed before anything of it is refunded (SPEC §1). What it cannot pay
is written off later, its deferred revenue reversed against the bad debt."""
from datetime import date

import pytest

from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.dunning import period_write_off
from pawpact.billing.services.standing import customer_standing_refresh
from pawpact.billing.services.termination import contract_default
from pawpact.customers.enums import CustomerStanding
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from tests.billing.debits.factories import token_set
from tests.billing.lifecycle.termination.helpers import (
    LOW,
    adopt,
    assert_ledger_ok,
    balances,
    beijing,
    collect_through,
    journal_lines,
    snapshot,
    terminated_events,
)

pytestmark = pytest.mark.usefixtures("in_shop")

MONTHLY = 39900
DEPOSIT = 50000


def _period_3_failed(traveller):
    """Basic 399 × 12, ¥500 deposit held, periods 1–2 paid, period 3 (10 May) declined."""
    contract = adopt(suffix=LOW)
    collect_through(contract, 2, traveller)
    token_set(contract, "tok_insufficient_funds")
    collect_through(contract, 3, traveller)
    assert DebitPeriod.objects.get(contract=contract, number=3).status == PeriodStatus.FAILED
    return contract


def statuses(contract) -> list[str]:
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("status", flat=True))


def test_the_deposit_pays_the_overdue_periods_and_the_rest_is_written_off(traveller, followups):
    contract = _period_3_failed(traveller)
    traveller.move_to(beijing(date(2026, 7, 1)))  # period 4 (10 June) owed too, not collected
    journals_before = len(journal_lines(contract))

    termination = contract_default(contract=contract)

    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.DEFAULTED, DepositStatus.APPLIED)
    # Period 3 paid in full from the deposit, period 4 in part (¥101.00); 5–12 cancelled.
    assert statuses(contract) == [PeriodStatus.PAID] * 2 + [
        PeriodStatus.PAID_BY_DEPOSIT, PeriodStatus.SCHEDULED,
    ] + [PeriodStatus.CANCELLED] * 8  # fmt: skip
    assert list(
        DebitPeriod.objects.filter(contract=contract, number__in=(3, 4)).order_by("number")
        .values_list("deposit_applied_minor", flat=True)
    ) == [MONTHLY, DEPOSIT - MONTHLY]  # fmt: skip
    assert (
        termination.kind, termination.cancelled_minor, termination.remaining_minor, termination.deposit_applied_minor,
        termination.deposit_refund_minor, termination.penalty_minor, termination.refund_minor,
    ) == (TerminationKind.DEFAULT, 8 * MONTHLY, 2 * MONTHLY - DEPOSIT, DEPOSIT, 0, 0, 0)  # fmt: skip
    uuid = contract.uuid
    assert journal_lines(contract)[journals_before:] == [
        ("receivable.cancelled", f"receivable.cancelled:{uuid}", [
            ("deferred_revenue", 8 * MONTHLY), ("receivable", -8 * MONTHLY),
        ]),
        ("deposit.applied", f"deposit.applied:{uuid}", [
            ("deferred_revenue", DEPOSIT), ("deposits_held", DEPOSIT),
            ("plan_revenue", -DEPOSIT), ("receivable", -DEPOSIT),
        ]),
    ]  # fmt: skip
    assert balances(contract) == {
        "cash": 2 * MONTHLY + DEPOSIT,  # the shop keeps the deposit: it paid for months 3 and 4
        "receivable": 29800,
        "deferred_revenue": -29800,
        "plan_revenue": -(2 * MONTHLY + DEPOSIT),
        "deposits_held": 0,
    }
    # Nothing went back to the customer's bank.
    assert not SandboxCharge.objects.filter(idempotency_key=f"deposit.refunded:{uuid}").exists()
    assert terminated_events(contract) == [{
        "contract_uuid": str(uuid), "reason": "default", "paid_periods": 2, "periods": 12,
        "cancelled_minor": 8 * MONTHLY, "remaining_minor": 29800, "penalty_minor": 0, "refund_minor": 0,
        "currency": "CNY", "at": "2026-07-01T02:00:00+00:00",
    }]  # fmt: skip
    assert followups == [str(uuid)]
    assert_ledger_ok()

    period_4 = DebitPeriod.objects.get(contract=contract, number=4)
    DebitPeriod.objects.filter(pk=period_4.pk).update(status=PeriodStatus.FAILED)  # as dunning leaves it
    period_write_off(period=period_4)

    assert journal_lines(contract)[journals_before + 2:] == [
        ("writeoff", f"writeoff:{period_4.pk}", [("bad_debt", 29800), ("receivable", -29800)]),
        ("writeoff.revenue_reversed", f"writeoff.revenue_reversed:{period_4.pk}", [
            ("bad_debt", -29800), ("deferred_revenue", 29800),
        ]),
    ]  # fmt: skip
    assert balances(contract) == {
        "cash": 2 * MONTHLY + DEPOSIT, "receivable": 0, "deferred_revenue": 0,
        "plan_revenue": -(2 * MONTHLY + DEPOSIT), "deposits_held": 0, "bad_debt": 0,
    }  # fmt: skip
    written_off = OutboxEvent.objects.get(aggregate_uuid=uuid, kind="period.written_off").payload
    assert (written_off["period_number"], written_off["amount_minor"]) == (4, 29800)
    assert_ledger_ok()


def test_a_deposit_larger_than_the_debt_pays_it_and_the_rest_is_refunded(traveller):
    contract = _period_3_failed(traveller)
    traveller.move_to(beijing(date(2026, 6, 1)))  # period 4 (10 June) not yet due: cancelled
    assert customer_standing_refresh(customer=contract.customer).after == CustomerStanding.OVERDUE

    termination = contract_default(contract=contract)

    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.DEFAULTED, DepositStatus.APPLIED)
    assert statuses(contract) == [PeriodStatus.PAID] * 2 + [PeriodStatus.PAID_BY_DEPOSIT] + [PeriodStatus.CANCELLED] * 9
    assert (
        termination.cancelled_minor, termination.remaining_minor, termination.deposit_applied_minor,
        termination.deposit_refund_minor,
    ) == (9 * MONTHLY, 0, MONTHLY, DEPOSIT - MONTHLY)  # fmt: skip
    uuid = contract.uuid
    assert [key for _kind, key, _lines in journal_lines(contract)][-3:] == [
        f"receivable.cancelled:{uuid}", f"deposit.applied:{uuid}", f"deposit.refunded:{uuid}",
    ]  # fmt: skip
    assert journal_lines(contract)[-1][2] == [("cash", -10100), ("deposits_held", 10100)]
    # Only the remainder went back, through the rail, once.
    assert list(SandboxCharge.objects.filter(idempotency_key=f"deposit.refunded:{uuid}").values_list(
        "amount_minor", "outcome"
    )) == [(-10100, "refunded")]  # fmt: skip
    assert balances(contract) == {
        "cash": 3 * MONTHLY, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -3 * MONTHLY, "deposits_held": 0,
    }  # fmt: skip
    assert_ledger_ok()
    # Paid after all: the customer's standing recovers, period 3 is reported recovered.
    refresh = customer_standing_refresh(customer=contract.customer)
    assert refresh.after == CustomerStanding.CURRENT
    assert [p.number for p in refresh.recovered] == [3]


def test_defaulting_twice_is_refused_and_moves_nothing(traveller):
    contract = _period_3_failed(traveller)
    traveller.move_to(beijing(date(2026, 6, 1)))
    contract_default(contract=contract)
    before = snapshot()

    with pytest.raises(IllegalTransition) as refused:
        contract_default(contract=contract)

    assert (refused.value.code, refused.value.http_status) == ("illegal_transition", 409)
    assert snapshot() == before
