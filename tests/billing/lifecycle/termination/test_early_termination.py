"""Early termination by the customer: a quote first (remaining amount, penalty ≤ 10%,
deposit refund, valid 24 hours), then its execution, with every amount exact."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import IllegalTransition, PaymentFailed, PenaltyRateTooHigh, QuoteExpired, QuoteStale
from pawpact.billing.models import DebitPeriod, Termination, TerminationQuote
from pawpact.billing.services.termination import penalty_rate_check, termination_execute, termination_quote
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.messaging.models import Message
from pawpact.sandbox.models import SandboxCharge
from tests.billing.debits.factories import token_set
from tests.billing.lifecycle.termination.helpers import (
    HIGH,
    NOW,
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


@pytest.fixture
def three_paid(traveller):
    """Basic 399 × 12 with a ¥500 deposit held, periods 1–3 paid (9 March, 10 April, 10 May)."""
    contract = adopt()
    collect_through(contract, 3, traveller)
    traveller.move_to(beijing(NOW.date().replace(month=5, day=20)))
    return contract


def test_the_quote_shows_remaining_penalty_and_deposit_refund(three_paid):
    quote = termination_quote(contract=three_paid)

    assert (
        quote.kind, quote.remaining_minor, quote.penalty_rate, quote.penalty_minor, quote.refund_minor,
        quote.deposit_refund_minor,
    ) == (TerminationKind.EARLY, 9 * 39900, Decimal("0.100"), 35910, 0, 50000)  # fmt: skip
    assert quote.remaining_minor == 359100
    assert quote.expires_at - quote.created_at == timedelta(hours=24)
    three_paid.refresh_from_db()
    assert three_paid.status == ContractStatus.ACTIVE  # a quote changes nothing


def test_executing_the_quote_ends_the_contract_with_exact_money(three_paid, followups):
    quote = termination_quote(contract=three_paid)
    journals_before = journal_lines(three_paid)

    termination = termination_execute(quote=quote)

    three_paid.refresh_from_db()
    assert (three_paid.status, three_paid.deposit_status) == (ContractStatus.TERMINATED_EARLY, DepositStatus.REFUNDED)
    assert three_paid.ended_at == beijing(NOW.date().replace(month=5, day=20))
    assert (
        termination.kind, termination.quote_id, termination.cancelled_minor, termination.remaining_minor,
        termination.penalty_minor, termination.refund_minor, termination.deposit_refund_minor,
    ) == (TerminationKind.EARLY, quote.pk, 359100, 0, 35910, 0, 50000)  # fmt: skip
    statuses = list(DebitPeriod.objects.filter(contract=three_paid).order_by("number").values_list("status", flat=True))
    assert statuses == [PeriodStatus.PAID] * 3 + [PeriodStatus.CANCELLED] * 9

    uuid = three_paid.uuid
    assert journal_lines(three_paid)[len(journals_before):] == [
        ("penalty.charged", f"penalty:{uuid}", [("penalty_revenue", -35910), ("receivable", 35910)]),
        ("penalty.collected", f"penalty.collected:{uuid}", [("cash", 35910), ("receivable", -35910)]),
        ("receivable.cancelled", f"receivable.cancelled:{uuid}", [("deferred_revenue", 359100), ("receivable", -359100)]),
        ("deposit.refunded", f"deposit.refunded:{uuid}", [("cash", -50000), ("deposits_held", 50000)]),
    ]  # fmt: skip
    assert balances(three_paid) == {
        "cash": 3 * 39900 + 35910,
        "receivable": 0,
        "deferred_revenue": 0,
        "plan_revenue": -3 * 39900,
        "penalty_revenue": -35910,
        "deposits_held": 0,
    }
    assert_ledger_ok()

    # The rail: the penalty charged once under its key, the deposit given back in full.
    token = three_paid.payment_method.token
    assert sorted(SandboxCharge.objects.filter(token=token).values_list("idempotency_key", "amount_minor", "outcome")) == sorted([
        (f"deposit:{uuid}:{three_paid.payment_method_id}", 50000, "succeeded"),
        (f"debit:{uuid}:1:1", 39900, "succeeded"),
        (f"debit:{uuid}:2:1", 39900, "succeeded"),
        (f"debit:{uuid}:3:1", 39900, "succeeded"),
        (f"penalty:{uuid}:{three_paid.payment_method_id}", 35910, "succeeded"),
        (f"deposit.refunded:{uuid}", -50000, "refunded"),
    ])  # fmt: skip

    assert terminated_events(three_paid) == [
        {
            "contract_uuid": str(uuid),
            "reason": "early_termination",
            "paid_periods": 3,
            "periods": 12,
            "cancelled_minor": 359100,
            "remaining_minor": 0,
            "penalty_minor": 35910,
            "refund_minor": 0,
            "currency": "CNY",
            "at": "2026-05-20T02:00:00+00:00",
        }
    ]
    assert followups == [str(uuid)]
    # The exit follow-up: a survey (service message) and a win-back offer (marketing, half price).
    assert SurveyResponse.objects.filter(contract=three_paid).count() == 1
    offer = WinBackOffer.objects.get(contract=three_paid)
    assert offer.discount_rate == Decimal("0.500")
    assert sorted(
        Message.objects.filter(customer=three_paid.customer, topic__in=("exit_survey", "winback_offer"))
        .values_list("topic", "channel", "category")
    ) == [
        ("exit_survey", "in_app", "service"), ("exit_survey", "sms", "service"),
        ("winback_offer", "in_app", "marketing"), ("winback_offer", "sms", "marketing"),
    ]  # fmt: skip


def test_executing_a_quote_twice_moves_money_once(three_paid, followups):
    quote = termination_quote(contract=three_paid)
    first = termination_execute(quote=quote)
    before = snapshot()

    again = termination_execute(quote=quote)

    assert again.pk == first.pk
    assert snapshot() == before
    assert followups == [str(three_paid.uuid)]


def test_a_second_quote_for_a_terminated_contract_is_refused(three_paid):
    termination_execute(quote=termination_quote(contract=three_paid))
    before = snapshot()

    with pytest.raises(IllegalTransition) as refused:
        termination_quote(contract=three_paid)

    assert (refused.value.code, refused.value.http_status) == ("illegal_transition", 409)
    assert refused.value.message == "A contract that is “Terminated early” cannot become “Terminated early”."
    assert snapshot() == before


def test_another_quote_of_a_terminated_contract_cannot_be_executed(three_paid):
    first = termination_quote(contract=three_paid)
    second = termination_quote(contract=three_paid)
    termination_execute(quote=first)
    before = snapshot()

    with pytest.raises(IllegalTransition):
        termination_execute(quote=second)
    assert snapshot() == before


def test_the_quote_expires_after_24_hours(three_paid, traveller):
    quote = termination_quote(contract=three_paid)
    traveller.shift(timedelta(hours=24))
    before = snapshot()

    with pytest.raises(QuoteExpired) as refused:
        termination_execute(quote=quote)

    assert refused.value.http_status == 422
    assert snapshot() == before
    three_paid.refresh_from_db()
    assert three_paid.status == ContractStatus.ACTIVE


def test_the_quote_is_good_until_its_last_second(three_paid, traveller):
    quote = termination_quote(contract=three_paid)
    traveller.shift(timedelta(hours=24) - timedelta(seconds=1))

    assert termination_execute(quote=quote).penalty_minor == 35910


def test_a_quote_is_stale_once_another_period_is_paid(three_paid, traveller):
    quote = termination_quote(contract=three_paid)  # 20 May: 9 periods remain
    collect_through(three_paid, 4, traveller)  # 10 June: period 4 paid
    before = snapshot()
    quote.expires_at = quote.expires_at + timedelta(days=30)  # only staleness is tested here

    with pytest.raises(QuoteStale) as refused:
        termination_execute(quote=quote)
    assert refused.value.http_status == 409
    assert snapshot() == before

    fresh = termination_quote(contract=three_paid)
    assert (fresh.remaining_minor, fresh.penalty_minor) == (8 * 39900, 31920)


def test_a_declined_penalty_charge_writes_nothing_and_keeps_the_contract_active(three_paid):
    quote = termination_quote(contract=three_paid)
    token_set(three_paid, "tok_insufficient_funds")
    before = snapshot()

    with pytest.raises(PaymentFailed) as refused:
        termination_execute(quote=quote)

    assert "could not be collected" in refused.value.message
    assert snapshot() == before
    three_paid.refresh_from_db()
    assert (three_paid.status, three_paid.deposit_status) == (ContractStatus.ACTIVE, DepositStatus.HELD)


def test_a_waived_deposit_is_not_refunded_and_rounding_is_half_up(traveller):
    # Premium 899 × 24 at 5%: 23 × 89900 = 2,067,700 → penalty 103,385.
    contract = adopt(plan_code="premium", suffix=HIGH)
    traveller.move_to(beijing(date(2026, 3, 17)))  # the day after the cooling-off window
    termination = termination_execute(quote=termination_quote(contract=contract))

    assert (termination.cancelled_minor, termination.penalty_minor, termination.deposit_refund_minor) == (
        2067700, 103385, 0,
    )  # fmt: skip
    contract.refresh_from_db()
    assert contract.deposit_status == DepositStatus.WAIVED
    assert [kind for kind, _key, _lines in journal_lines(contract)][-3:] == [
        "penalty.charged", "penalty.collected", "receivable.cancelled",
    ]  # fmt: skip
    assert_ledger_ok()


@pytest.mark.parametrize("rate", [Decimal("0.101"), Decimal("0.5"), Decimal("-0.01"), Decimal("NaN"), 0.1, "0.05"])
def test_a_penalty_rate_above_10_percent_is_refused_everywhere(rate):
    with pytest.raises(PenaltyRateTooHigh) as refused:
        penalty_rate_check(rate)
    assert refused.value.http_status == 400
    assert refused.value.fields == {"penalty_rate": ["Between 0 and 0.10."]}


def test_a_quote_carrying_a_rate_above_10_percent_is_not_executed(three_paid):
    quote = termination_quote(contract=three_paid)
    quote.penalty_rate = Decimal("0.150")  # tampered in memory: the database would refuse it
    before = snapshot()

    with pytest.raises(PenaltyRateTooHigh):
        termination_execute(quote=quote)
    assert snapshot() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        quote.save()


def test_a_contract_that_is_not_active_gets_no_quote(traveller):
    contract = adopt()
    contract.status = ContractStatus.COMPLETED
    contract.save(update_fields=["status"])

    with pytest.raises(IllegalTransition):
        termination_quote(contract=contract)
    assert TerminationQuote.objects.count() == 0
    assert Termination.objects.count() == 0
