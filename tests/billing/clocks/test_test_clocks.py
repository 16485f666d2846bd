"""Test clocks: advancing a clock bills its contracts day by day as the scheduler would at
that time (debits, reminders, retries, dunning), and nothing else moves."""
from datetime import date, datetime, time, timedelta

import pytest
from django.db.models import Sum
from django_tenants.utils import schema_context

from pawpact.billing.errors import TestClockAdvanceInvalid, TestClockAttachRefused, TestClockBusy, TestClockInLiveMode
from pawpact.billing.models import DebitAttempt, DebitPeriod, Journal, TestClock
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services import test_clocks as clocks
from pawpact.billing.services.test_clocks import TestClockTime
from pawpact.tenants.enums import ShopMode
from tests.billing.debits.factories import SIGNED_ON, contract_create, plan_version_create, token_set
from tests.billing.lifecycle.dunning.helpers import BEIJING, late_contract

NOON = datetime.combine(SIGNED_ON, time(12, 0), tzinfo=BEIJING)


def _statuses(contract) -> list[str]:
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("status", flat=True))


def _snapshot(contract) -> list[tuple]:
    periods = DebitPeriod.objects.filter(contract=contract).order_by("number")
    attempts = DebitAttempt.objects.filter(period__contract=contract).count()
    return [*periods.values_list("number", "status", "reminded_at", "next_retry_on"), attempts]


@pytest.fixture
def in_shop(shop):
    with schema_context(shop.schema_name):
        yield shop


def _clocked(**contract_args):
    contract = contract_create(plan_version=plan_version_create(debit_day=15, periods=12), **contract_args)
    clock = clocks.test_clock_create(name="three months", frozen_time=NOON)
    clocks.test_clock_attach(test_clock=clock, contract=contract)
    return clock, contract


def test_three_months_pay_three_periods_and_move_nothing_else(in_shop):
    clock, contract = _clocked()
    other = contract_create(plan_version=plan_version_create(debit_day=15, periods=12))
    other_before = _snapshot(other)

    clocks.test_clock_advance(test_clock=clock, months=3)

    clock.refresh_from_db()
    assert clock.frozen_time == NOON.replace(month=4) and clock.advancing_since is None
    # Due 12 Jan (charged at the first run after noon), 15 Feb, 15 Mar; 15 Apr reminded on the 12th.
    assert _statuses(contract)[:5] == ["paid", "paid", "paid", "reminded", "scheduled"]
    paid = DebitAttempt.objects.filter(period__contract=contract, status="succeeded")
    assert sorted(a.started_at.astimezone(BEIJING).date() for a in paid) == [
        date(2026, 1, 13), date(2026, 2, 15), date(2026, 3, 15)
    ]
    assert paid.aggregate(total=Sum("period__amount_minor"))["total"] == 3 * 39_900
    keys = list(Journal.objects.filter(contract=contract).values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 3
    assert _snapshot(other) == other_before


def test_the_real_run_leaves_clocked_contracts_alone_and_a_rerun_charges_nothing(in_shop):
    clock, contract = _clocked()
    debit_run_shop(clock=TestClockTime(NOON + timedelta(days=200), test_clock_id=clock.pk + 1000))
    debit_run_shop()  # real time (November 2026): every period of the contract would be due
    assert DebitAttempt.objects.filter(period__contract=contract).count() == 0

    clocks.test_clock_advance(test_clock=clock, next_debit=True)
    assert _statuses(contract)[:2] == ["paid", "scheduled"]
    debit_run_shop(clock=TestClockTime(clock.frozen_time, test_clock_id=clock.pk))
    assert DebitAttempt.objects.filter(period__contract=contract).count() == 1
    assert Journal.objects.filter(contract=contract).count() == 1


def test_next_debit_stops_after_the_run_that_charges_it(in_shop):
    clock, contract = _clocked()
    clocks.test_clock_advance(test_clock=clock, next_debit=True)
    assert clock.frozen_time == datetime(2026, 1, 13, 10, 45, tzinfo=BEIJING)
    assert clocks.test_clock_next_debit(test_clock=clock) == datetime(2026, 2, 15, 10, 45, tzinfo=BEIJING)
    clocks.test_clock_advance(test_clock=clock, next_debit=True)
    assert _statuses(contract)[:3] == ["paid", "paid", "scheduled"]


def _attempt_days(period) -> list[tuple[int, str, date]]:
    rows = DebitAttempt.objects.filter(period=period).order_by("number")
    return [(a.number, a.status, a.started_at.astimezone(BEIJING).date()) for a in rows]


def test_a_failing_card_goes_through_retries_into_dunning(in_shop):
    contract = late_contract("tok_insufficient_funds")  # period 1 paid at signing; period 2 due 10 Feb
    clock = clocks.test_clock_create(frozen_time=NOON)
    clocks.test_clock_attach(test_clock=clock, contract=contract)

    clocks.test_clock_advance(test_clock=clock, frozen_time=datetime(2026, 2, 10, 12, 0, tzinfo=BEIJING))
    period = DebitPeriod.objects.get(contract=contract, number=2)
    assert (period.status, period.next_retry_on, period.overdue_since) == ("retrying", date(2026, 2, 11), None)
    assert _attempt_days(period) == [(1, "failed", date(2026, 2, 10))]

    clocks.test_clock_advance(test_clock=clock, months=1)
    period.refresh_from_db()
    contract.customer.refresh_from_db()
    assert (period.status, period.next_retry_on, period.overdue_since) == ("failed", None, date(2026, 2, 11))
    assert _attempt_days(period) == [
        (1, "failed", date(2026, 2, 10)), (2, "failed", date(2026, 2, 11)),
        (3, "failed", date(2026, 2, 13)), (4, "failed", date(2026, 2, 15)),
    ]  # fmt: skip
    assert contract.customer.standing == "overdue"
    assert Journal.objects.filter(contract=contract).count() == 1  # only period 1 moved money

    token_set(contract, "tok_success")
    clocks.test_clock_advance(test_clock=clock, next_debit=True)
    # The next due debit (period 3, 10 March) is charged on the new card; period 2 waits for the
    # customer to replace the method (its retries are used up), as at real time.
    assert clock.frozen_time == datetime(2026, 3, 11, 10, 45, tzinfo=BEIJING)
    assert _statuses(contract)[:4] == ["paid", "failed", "paid", "scheduled"]
    assert Journal.objects.filter(contract=contract).count() == 2


def test_live_mode_refuses_clocks(in_shop):
    clock, contract = _clocked()
    in_shop.mode = ShopMode.LIVE
    in_shop.save(update_fields=["mode"])
    with pytest.raises(TestClockInLiveMode):
        clocks.test_clock_create()
    with pytest.raises(TestClockInLiveMode):
        clocks.test_clock_advance(test_clock=clock, months=1)
    assert TestClock.objects.count() == 1 and _statuses(contract)[0] == "scheduled"


def test_refused_attachments_and_advances_change_nothing(in_shop):
    clock, contract = _clocked()
    other_clock = clocks.test_clock_create(frozen_time=NOON)
    live = contract_create(livemode=True)
    for candidate in (contract, live):
        with pytest.raises(TestClockAttachRefused):
            clocks.test_clock_attach(test_clock=other_clock, contract=candidate)
    with pytest.raises(TestClockAttachRefused):
        clocks.test_clock_attach_customer(test_clock=other_clock, customer=contract.customer)
    assert list(other_clock.contracts.all()) == [] and live.test_clock_id is None
    for target in ({"months": 1, "next_debit": True}, {}, {"frozen_time": NOON - timedelta(seconds=1)},
                   {"frozen_time": NOON + timedelta(days=401)}):  # fmt: skip
        with pytest.raises(TestClockAdvanceInvalid):
            clocks.test_clock_advance(test_clock=clock, **target)
    with pytest.raises(TestClockAdvanceInvalid):
        clocks.test_clock_advance(test_clock=other_clock, next_debit=True)  # nothing attached
    TestClock.objects.filter(pk=clock.pk).update(advancing_since=NOON)
    with pytest.raises(TestClockBusy):
        clocks.test_clock_advance(test_clock=clock, months=1)
    clock.refresh_from_db()
    assert clock.frozen_time == NOON and DebitAttempt.objects.count() == 0
