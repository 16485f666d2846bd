"""Completion: once the last period is paid, the daily run completes the contract and
refunds its deposit."""
from datetime import date

import pytest
from django.db import connection

from pawpact.billing import tasks as termination_tasks
from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import Termination
from pawpact.billing.services.completion import completion_run_shop
from pawpact.billing.services.termination import contract_complete
from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.config.schedules import beat_schedule
from tests.billing.lifecycle.termination.helpers import (
    adopt,
    assert_ledger_ok,
    balances,
    beijing,
    collect_through,
    journal_lines,
    snapshot,
    terminated_events,
)


@pytest.fixture
def all_paid(in_shop, traveller):
    """Basic 399 × 12 with a ¥500 deposit, every period paid; now the day of the last debit."""
    contract = adopt()
    collect_through(contract, 12, traveller)
    return contract


@pytest.mark.usefixtures("in_shop")
def test_the_daily_run_completes_a_fully_paid_contract(all_paid, traveller, followups):
    unfinished = adopt()  # signed on the last debit day: 11 periods to go
    journals_before = len(journal_lines(all_paid))

    report = completion_run_shop()

    assert report.completed == [str(all_paid.uuid)]
    all_paid.refresh_from_db()
    unfinished.refresh_from_db()
    assert (all_paid.status, all_paid.deposit_status) == (ContractStatus.COMPLETED, DepositStatus.REFUNDED)
    assert unfinished.status == ContractStatus.ACTIVE
    termination = Termination.objects.get(contract=all_paid)
    assert (termination.kind, termination.remaining_minor, termination.penalty_minor, termination.deposit_refund_minor) == (
        TerminationKind.COMPLETION, 0, 0, 50000,
    )  # fmt: skip
    assert set(all_paid.periods_set.values_list("status", flat=True)) == {PeriodStatus.PAID}
    uuid = all_paid.uuid
    assert journal_lines(all_paid)[journals_before:] == [
        ("deposit.refunded", f"deposit.refunded:{uuid}", [("cash", -50000), ("deposits_held", 50000)]),
    ]
    assert balances(all_paid) == {
        "cash": 478800, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -478800, "deposits_held": 0,
    }  # fmt: skip
    assert_ledger_ok()
    assert terminated_events(all_paid) == [
        {
            "contract_uuid": str(uuid),
            "reason": "completion",
            "paid_periods": 12,
            "periods": 12,
            "cancelled_minor": 0,
            "remaining_minor": 0,
            "penalty_minor": 0,
            "refund_minor": 0,
            "currency": "CNY",
            "at": beijing(date(2027, 2, 10)).isoformat(),
        }
    ]
    assert followups == []  # the renewal offer, not a win-back, follows a completion


@pytest.mark.usefixtures("in_shop")
def test_the_run_twice_completes_once(all_paid):
    assert completion_run_shop().completed == [str(all_paid.uuid)]
    before = snapshot()

    assert completion_run_shop().completed == []
    assert snapshot() == before


@pytest.mark.usefixtures("in_shop")
def test_a_contract_with_a_period_to_collect_cannot_be_completed(traveller):
    contract = adopt()
    collect_through(contract, 11, traveller)
    before = snapshot()

    assert completion_run_shop().completed == []
    with pytest.raises(IllegalTransition) as refused:
        contract_complete(contract=contract)
    assert refused.value.message == "The contract still has periods to collect: it cannot be completed yet."
    assert snapshot() == before


def test_the_dispatcher_completes_each_shops_contracts_in_its_own_schema(shop, other_shop, traveller, monkeypatch):
    from django_tenants.utils import schema_context

    contracts = {}
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            contracts[each.schema_name] = adopt()
            collect_through(contracts[each.schema_name], 12, traveller)
    traveller.move_to(beijing(date(2027, 2, 10)))
    ran_in: list[str] = []
    real = termination_tasks.completion_run_shop

    def recording(**kwargs):
        ran_in.append(connection.schema_name)
        return real(**kwargs)

    monkeypatch.setattr(termination_tasks, "completion_run_shop", recording)
    assert connection.schema_name == "public"
    assert termination_tasks.completion_run_dispatch_task.delay().get() == 2
    termination_tasks.completion_run_dispatch_task.delay()  # the next day: nothing left

    assert ran_in == ["shop_alpha", "shop_beta"] * 2
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            assert list(Termination.objects.values_list("contract__uuid", "kind")) == [
                (contracts[each.schema_name].uuid, TerminationKind.COMPLETION)
            ]
            assert_ledger_ok()


def test_the_jobs_are_scheduled_with_an_expiry():
    schedule = beat_schedule()
    assert schedule["billing-completion-run"]["task"] == "billing.completion_run_dispatch"
    assert schedule["billing-shop-closure-sweep"]["task"] == "billing.shop_closure_sweep"
    assert schedule["billing-completion-run"]["options"]["expires"] == 3600
    assert termination_tasks.completion_run_shop_task.name == "billing.completion_run_shop"
    assert termination_tasks.shop_closure_task.acks_late is True
