"""Default and write-off: a customer in default has the contract defaulted (future periods
cancelled by the termination service); owed debt past the horizon is written off."""
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import CallTaskStatus, ContractStatus, LedgerAccount, PeriodStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.holds import customer_holds
from pawpact.billing.ledger import Line, account_balances, journal_post, unbalanced_journals
from pawpact.billing.models import CallTask, Contract, DebitPeriod, Journal, Termination
from pawpact.billing.selectors import ledger_check
from pawpact.billing.services.dunning import period_write_off
from pawpact.customers.enums import CustomerStanding
from tests.billing.lifecycle.dunning.helpers import (
    DUE,
    MONTHLY,
    day,
    debit_run_on,
    dunning_on,
    events,
    journal_keys,
    late_contract,
    period,
    settings_set,
    state,
)


def activated(contract: Contract) -> Contract:
    """The receivable the signing flow books when a contract starts."""
    journal_post(
        key=f"contract.activated:{contract.uuid}",
        kind="contract.activated",
        lines=[
            Line(LedgerAccount.RECEIVABLE, contract.total_minor),
            Line(LedgerAccount.DEFERRED_REVENUE, -contract.total_minor),
        ],
        contract=contract,
    )
    return contract


def statuses(contract: Contract) -> list[str]:
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("status", flat=True))


def test_default_then_write_off_moves_the_debt_to_bad_debt_once_with_a_balanced_ledger(shop):
    with schema_context(shop.schema_name):
        settings_set(retry_days=[], default_after_days=2, write_off_after_days=5)
        contract = activated(late_contract("tok_insufficient_funds"))
        debit_run_on(DUE)
        dunning_on(DUE)
        assert state(contract) == (PeriodStatus.FAILED, None, None, CustomerStanding.GRACE)
        dunning_on(day(11))
        dunning_on(day(12))
        assert state(contract) == (PeriodStatus.FAILED, None, day(11), CustomerStanding.OVERDUE)

        [report, again] = dunning_on(day(13), times=2)
        assert (report.defaulted, again.defaulted) == (1, 0)
        contract.refresh_from_db()
        assert contract.status == ContractStatus.DEFAULTED
        assert statuses(contract) == [PeriodStatus.PAID, PeriodStatus.FAILED] + [PeriodStatus.CANCELLED] * 10
        assert state(contract) == (PeriodStatus.FAILED, None, day(11), CustomerStanding.DEFAULT)
        termination = Termination.objects.get(contract=contract)
        # Periods 3–12 cancelled; period 2 still owed (no deposit: its score waived it).
        assert (
            termination.kind, termination.cancelled_minor, termination.remaining_minor, termination.penalty_minor,
            termination.deposit_applied_minor, termination.deposit_refund_minor,
        ) == ("default", 399_000, MONTHLY, 0, 0, 0)  # fmt: skip
        [(_, terminated)] = events(contract, "contract.terminated")
        assert terminated == {
            "contract_uuid": str(contract.uuid), "reason": "default", "paid_periods": 1, "periods": 12,
            "cancelled_minor": 399_000, "remaining_minor": MONTHLY, "penalty_minor": 0, "refund_minor": 0,
            "currency": "CNY", "at": "2026-02-13T01:30:00+00:00",
        }  # fmt: skip
        assert customer_holds(customer=contract.customer).shipment_held is True
        assert CallTask.objects.get(customer=contract.customer).status == CallTaskStatus.OPEN  # day 3: the call

        dunning_on(day(14))
        assert period(contract, 2).status == PeriodStatus.FAILED  # 4 days old: not yet
        [report, again] = dunning_on(day(15), times=2)
        assert (report.written_off, again.written_off) == (1, 0)
        second = period(contract, 2)
        assert second.status == PeriodStatus.WRITTEN_OFF
        journal = Journal.objects.get(idempotency_key=f"writeoff:{second.pk}")
        assert journal.kind == "writeoff"
        assert sorted(journal.lines.values_list("account", "amount_minor", "currency")) == [
            ("bad_debt", MONTHLY, "CNY"),
            ("receivable", -MONTHLY, "CNY"),
        ]
        # The month was never earned: its deferred revenue is reversed against the bad debt.
        reversal = Journal.objects.get(idempotency_key=f"writeoff.revenue_reversed:{second.pk}")
        assert reversal.kind == "writeoff.revenue_reversed"
        assert sorted(reversal.lines.values_list("account", "amount_minor", "currency")) == [
            ("bad_debt", -MONTHLY, "CNY"),
            ("deferred_revenue", MONTHLY, "CNY"),
        ]
        assert journal_keys(contract) == [
            f"period.paid:{period(contract, 1).pk}",
            f"contract.activated:{contract.uuid}",
            f"receivable.cancelled:{contract.uuid}",
            f"writeoff:{second.pk}",
            f"writeoff.revenue_reversed:{second.pk}",
        ]
        [(_, written_off)] = events(contract, "period.written_off")
        assert written_off == {
            "contract_uuid": str(contract.uuid), "customer_uuid": str(contract.customer.uuid), "period_number": 2,
            "amount_minor": MONTHLY, "currency": "CNY", "at": "2026-02-15T01:30:00+00:00",
        }  # fmt: skip
        # Every receivable of the contract is settled: collected, cancelled, or written off;
        # nothing stays deferred for a month that will never be delivered.
        assert account_balances(contract=contract) == {
            "cash": 39_900,
            "receivable": 0,
            "deferred_revenue": 0,
            "plan_revenue": -39_900,
            "bad_debt": 0,
        }
        assert unbalanced_journals() == []
        assert ledger_check().problems == []
        # Written-off debt keeps the customer in default; the call is closed.
        contract.customer.refresh_from_db()
        assert contract.customer.standing == CustomerStanding.DEFAULT
        assert CallTask.objects.get(customer=contract.customer).status == CallTaskStatus.CANCELLED

        before = (journal_keys(contract), events(contract), statuses(contract))
        dunning_on(day(16), times=2)
        dunning_on(date(2026, 3, 10))
        assert (journal_keys(contract), events(contract), statuses(contract)) == before


def test_only_an_owed_period_can_be_written_off(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_success")
        with pytest.raises(IllegalTransition) as refused:
            period_write_off(period=period(contract, 1))
        assert refused.value.message == "Only an unpaid, failed period can be written off; period 1 is paid."
        assert journal_keys(contract) == [f"period.paid:{period(contract, 1).pk}"]
