"""Cooling-off: cancelling within the plan's cooling-off days (the last day included)
refunds everything collected, each paid period and the deposit, through the rail."""
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import CoolingOffOver, IllegalTransition, QuoteStale
from pawpact.billing.models import DebitPeriod, Plan
from pawpact.billing.selectors import calendar_list, termination_quote_summary
from pawpact.billing.services.plans import plan_version_create
from pawpact.billing.services.termination import contract_cancel_cooling_off, termination_execute, termination_quote
from pawpact.sandbox.models import SandboxCharge
from tests.billing.lifecycle.termination.helpers import (
    HIGH,
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

LAST_DAY = date(2026, 3, 16)  # signed 9 March, 7 cooling-off days


def test_cancelling_on_the_signing_day_refunds_period_1_and_the_deposit(traveller, followups):
    contract = adopt()
    assert contract.cooling_off_until == LAST_DAY
    journals_before = len(journal_lines(contract))

    termination = contract_cancel_cooling_off(contract=contract)

    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.CANCELLED_COOLING_OFF, DepositStatus.REFUNDED)
    # Periods 2–12 cancelled, nothing left to pay, period 1 and the deposit given back.
    assert (
        termination.kind, termination.cancelled_minor, termination.remaining_minor, termination.penalty_minor,
        termination.refund_minor, termination.deposit_refund_minor,
    ) == (TerminationKind.COOLING_OFF, 11 * 39900, 0, 0, 39900, 50000)  # fmt: skip
    statuses = list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("status", flat=True))
    assert statuses == [PeriodStatus.REFUNDED] + [PeriodStatus.CANCELLED] * 11
    assert [(entry.number, entry.status) for entry in calendar_list(contract=contract)][:2] == [
        (1, "refunded"), (2, "cancelled"),
    ]  # fmt: skip

    uuid = contract.uuid
    assert journal_lines(contract)[journals_before:] == [
        ("receivable.cancelled", f"receivable.cancelled:{uuid}", [("deferred_revenue", 438900), ("receivable", -438900)]),
        ("refund", f"refund:{uuid}", [("cash", -39900), ("plan_revenue", 39900)]),
        ("deposit.refunded", f"deposit.refunded:{uuid}", [("cash", -50000), ("deposits_held", 50000)]),
    ]  # fmt: skip
    # Everything the contract moved is undone.
    assert balances(contract) == {
        "cash": 0, "receivable": 0, "deferred_revenue": 0, "plan_revenue": 0, "deposits_held": 0,
    }  # fmt: skip
    assert_ledger_ok()
    # The customer's bank: every charge given back.
    token = contract.payment_method.token
    assert sum(SandboxCharge.objects.filter(token=token).values_list("amount_minor", flat=True)) == 0
    assert sorted(
        SandboxCharge.objects.filter(token=token, outcome="refunded").values_list("idempotency_key", "amount_minor")
    ) == sorted([(f"refund:{uuid}:1", -39900), (f"deposit.refunded:{uuid}", -50000)])
    assert terminated_events(contract) == [
        {
            "contract_uuid": str(uuid),
            "reason": "cooling_off",
            "paid_periods": 1,
            "periods": 12,
            "cancelled_minor": 438900,
            "remaining_minor": 0,
            "penalty_minor": 0,
            "refund_minor": 39900,
            "currency": "CNY",
            "at": "2026-03-09T02:00:00+00:00",
        }
    ]
    assert followups == [str(uuid)]


def test_the_last_second_of_the_last_day_is_allowed(traveller):
    contract = adopt()
    traveller.move_to(beijing(LAST_DAY, time(23, 59, 59)))

    assert contract_cancel_cooling_off(contract=contract).refund_minor == 39900


def test_the_next_day_is_refused_with_a_clear_message_and_nothing_written(traveller):
    contract = adopt()
    traveller.move_to(beijing(LAST_DAY + timedelta(days=1), time(0, 0)))
    before = snapshot()

    with pytest.raises(CoolingOffOver) as refused:
        contract_cancel_cooling_off(contract=contract)

    assert refused.value.http_status == 422
    assert refused.value.message == (
        "The cooling-off period ended on 2026-03-16: cancelling now is an early termination "
        "(ask for a termination quote)."
    )
    assert snapshot() == before


def test_every_period_paid_in_a_long_window_is_refunded(traveller):
    # A shop that gives 37 cooling-off days: period 2 (10 April) is paid inside the window.
    basic = Plan.objects.get(code="basic")
    version = plan_version_create(plan=basic, cooling_off_days=37)
    contract = adopt(version=version, suffix=HIGH)  # deposit waived
    collect_through(contract, 2, traveller)
    traveller.move_to(beijing(date(2026, 4, 15)))  # the window's last day

    termination = contract_cancel_cooling_off(contract=contract)

    assert (
        termination.refund_minor, termination.deposit_refund_minor, termination.cancelled_minor,
        termination.remaining_minor,
    ) == (79800, 0, 10 * 39900, 0)  # fmt: skip
    assert list(DebitPeriod.objects.filter(contract=contract, number__lte=3).order_by("number").values_list(
        "status", flat=True
    )) == [PeriodStatus.REFUNDED, PeriodStatus.REFUNDED, PeriodStatus.CANCELLED]  # fmt: skip
    uuid = contract.uuid
    assert sorted(SandboxCharge.objects.filter(outcome="refunded", token=contract.payment_method.token).values_list(
        "idempotency_key", "amount_minor"
    )) == [(f"refund:{uuid}:1", -39900), (f"refund:{uuid}:2", -39900)]  # fmt: skip
    assert balances(contract) == {"cash": 0, "receivable": 0, "deferred_revenue": 0, "plan_revenue": 0}
    assert_ledger_ok()


def test_cancelling_twice_is_refused(traveller):
    contract = adopt()
    contract_cancel_cooling_off(contract=contract)
    before = snapshot()

    with pytest.raises(IllegalTransition):
        contract_cancel_cooling_off(contract=contract)
    assert snapshot() == before


# --- A termination quote inside the window is the free cancellation ---------------------------


def test_a_quote_inside_the_window_offers_the_free_cancellation_and_executing_it_is_free(traveller):
    contract = adopt()  # ¥500 deposit held, period 1 paid today
    before_rail = SandboxCharge.objects.filter(token=contract.payment_method.token).count()

    quote = termination_quote(contract=contract)

    assert (
        quote.kind, quote.remaining_minor, quote.penalty_rate, quote.penalty_minor, quote.refund_minor,
        quote.deposit_refund_minor,
    ) == (TerminationKind.COOLING_OFF, 11 * 39900, Decimal("0"), 0, 39900, 50000)  # fmt: skip
    assert quote.expires_at - quote.created_at == timedelta(hours=24)
    with translation.override("en"):
        assert termination_quote_summary(quote) == (
            "You are within the cooling-off period (until 2026-03-16): cancelling is free, with no penalty. "
            "The ¥4,389.00 still to pay is cancelled and the ¥399.00 you paid is refunded. "
            "Your deposit of ¥500.00 is refunded."
        )

    termination = termination_execute(quote=quote)

    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.CANCELLED_COOLING_OFF, DepositStatus.REFUNDED)
    assert (
        termination.kind, termination.quote_id, termination.penalty_minor, termination.refund_minor,
        termination.deposit_refund_minor, termination.cancelled_minor, termination.remaining_minor,
    ) == (TerminationKind.COOLING_OFF, quote.pk, 0, 39900, 50000, 11 * 39900, 0)  # fmt: skip
    # No penalty charged: only the two refunds went through the rail.
    rail = SandboxCharge.objects.filter(token=contract.payment_method.token)
    assert rail.count() == before_rail + 2
    assert not rail.filter(idempotency_key__startswith=f"penalty:{contract.uuid}").exists()
    assert balances(contract) == {
        "cash": 0, "receivable": 0, "deferred_revenue": 0, "plan_revenue": 0, "deposits_held": 0,
    }  # fmt: skip
    assert_ledger_ok()
    assert termination_execute(quote=quote).pk == termination.pk  # executing it again changes nothing


def test_a_quote_on_the_last_day_expires_with_the_window(traveller):
    contract = adopt()
    traveller.move_to(beijing(LAST_DAY, time(20, 0)))
    quote = termination_quote(contract=contract)
    window_closes = beijing(LAST_DAY + timedelta(days=1), time(0, 0))
    assert (quote.kind, quote.expires_at) == (TerminationKind.COOLING_OFF, window_closes)

    traveller.move_to(beijing(LAST_DAY + timedelta(days=1), time(0, 0, 1)))
    before = snapshot()
    with pytest.raises(CoolingOffOver):  # its expiry too: the window says why
        termination_execute(quote=quote)
    assert snapshot() == before

    fresh = termination_quote(contract=contract)  # the window is over: an early termination now
    assert (fresh.kind, fresh.penalty_minor) == (TerminationKind.EARLY, 43890)


def test_a_free_cancellation_quote_is_stale_once_a_period_is_paid(traveller):
    basic = Plan.objects.get(code="basic")
    contract = adopt(version=plan_version_create(plan=basic, cooling_off_days=37), suffix=HIGH)
    quote = termination_quote(contract=contract)
    quote.expires_at = quote.expires_at + timedelta(days=40)  # only staleness is tested here
    collect_through(contract, 2, traveller)  # 10 April: period 2 paid, inside the window
    before = snapshot()

    with pytest.raises(QuoteStale):
        termination_execute(quote=quote)
    assert snapshot() == before
    assert termination_quote(contract=contract).refund_minor == 2 * 39900
