"""Contracts ending early: clawbacks per recourse rule and reason, with hand-computed amounts.

The contract: 399 × 12 = ¥4,788.00 (V 478,800 fen); terms rate 0.9, fee ¥10.00 →
advance A 429,920, discount D 47,880. Three periods collected: C 119,700, R 359,100.
"""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from pawpact.platform.enums import AdvanceStatus
from pawpact.platform.funding.advances import advance_close
from pawpact.platform.funding.ledger import account_balances
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import Advance, Clawback, Payout, PlatformJournal
from tests.platform.funding.conftest import assert_ledger_ok, drain, emit, paid, signed, terminated


def _bought(shop, clock, *, rule: str, periods_paid: int) -> uuid.UUID:
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule=rule)
    contract = uuid.uuid4()
    emit(shop, signed(contract), *(paid(contract, n) for n in range(1, periods_paid + 1)))
    drain(shop, clock)
    return contract


def _end(shop, clock, contract, reason):
    emit(shop, terminated(contract, reason))
    drain(shop, clock)


def _closing_lines(shop, contract) -> list[tuple[str, int]]:
    journal = PlatformJournal.objects.get(idempotency_key=f"advance-close:{shop.pk}:{contract}")
    return sorted(journal.lines.values_list("account", "amount_minor"))


def _clawbacks(contract) -> list[tuple[str, int]]:
    return list(Clawback.objects.filter(advance__contract_uuid=contract).values_list("reason", "amount_minor"))


CASES = [
    # rule, reason, clawback K, the rest of R (359,100 − K) and where it goes
    ("full", "early_termination", 310_220, ("discount", 48_880)),  # A − C = 429,920 − 119,700
    ("full", "pet_loss", 310_220, ("discount", 48_880)),
    ("full", "default", 310_220, ("bad_debt", 48_880)),
    ("pro_rata", "early_termination", 322_440, ("discount", 36_660)),  # 429,920 × 9 / 12
    ("pro_rata", "pet_loss", 322_440, ("discount", 36_660)),
    ("pro_rata", "default", 322_440, ("bad_debt", 36_660)),
    ("none", "early_termination", 0, ("discount", 359_100)),
    ("none", "pet_loss", 0, ("discount", 359_100)),
    ("none", "default", 0, ("bad_debt", 359_100)),  # the unpaid receivable is bad debt
]


@pytest.mark.parametrize(("rule", "reason", "clawback", "rest"), CASES)
def test_clawback_per_recourse_rule_and_reason(shop, clock, rule, reason, clawback, rest):
    contract = _bought(shop, clock, rule=rule, periods_paid=3)
    _end(shop, clock, contract, reason)

    advance = Advance.objects.get(contract_uuid=contract)
    assert (advance.closed_reason, advance.status, advance.collected_minor) == (reason, AdvanceStatus.PENDING, 119_700)
    assert _clawbacks(contract) == ([(reason, clawback)] if clawback else [])
    expected = [("customer_receivable", -359_100), rest] + ([("shop_receivable", clawback)] if clawback else [])
    assert _closing_lines(shop, contract) == sorted(expected)
    assert account_balances(contract_uuid=contract).get("customer_receivable", 0) == 0  # closed
    assert_ledger_ok()


def test_pro_rata_rounds_half_up_once(shop, clock):
    contract = _bought(shop, clock, rule="pro_rata", periods_paid=5)  # 7 of 12 unpaid
    _end(shop, clock, contract, "pet_loss")
    assert _clawbacks(contract) == [("pet_loss", 250_787)]  # 429,920 × 7 / 12 = 250,786.67
    assert _closing_lines(shop, contract) == sorted(
        [("shop_receivable", 250_787), ("customer_receivable", -279_300), ("discount", 28_513)]
    )
    assert_ledger_ok()


def test_full_recourse_claws_back_nothing_once_collections_cover_the_advance(shop, clock):
    contract = _bought(shop, clock, rule="full", periods_paid=11)  # 438,900 collected > 429,920
    _end(shop, clock, contract, "early_termination")
    assert _clawbacks(contract) == []
    assert _closing_lines(shop, contract) == [("customer_receivable", -39_900), ("discount", 39_900)]
    assert_ledger_ok()


@pytest.mark.parametrize("rule", ["full", "pro_rata", "none"])
def test_cooling_off_before_the_payout_cancels_the_advance_and_refunds_what_was_collected(shop, clock, rule):
    contract = _bought(shop, clock, rule=rule, periods_paid=1)
    _end(shop, clock, contract, "cooling_off")

    advance = Advance.objects.get(contract_uuid=contract)
    assert (advance.status, advance.closed_reason, advance.payout_id) == (AdvanceStatus.CANCELLED, "cooling_off", None)
    assert _clawbacks(contract) == []
    journal = PlatformJournal.objects.get(idempotency_key=f"advance-close:{shop.pk}:{contract}")
    assert journal.kind == "advance.cancelled"
    assert _closing_lines(shop, contract) == sorted(
        [("advances_payable", 429_920), ("cash", -39_900), ("customer_receivable", -438_900),
         ("fee_revenue", 1_000), ("discount", 47_880)]
    )  # fmt: skip
    # The purchase is undone: every account of the contract is back to zero.
    assert {k: v for k, v in account_balances(contract_uuid=contract).items() if v} == {}

    clock.advance(timedelta(days=7))  # payable day: nothing to pay
    report = settlement_run(clock=clock)
    assert (report.payouts_created, Payout.objects.count()) == (0, 0)
    check = assert_ledger_ok()
    assert (check.refunds_minor, check.cash_minor) == (39_900, 0)


@pytest.mark.parametrize("rule", ["full", "none"])
def test_cooling_off_after_the_payout_claws_back_the_whole_advance(shop, clock, rule):
    contract = _bought(shop, clock, rule=rule, periods_paid=1)
    clock.advance(timedelta(days=7))
    settlement_run(clock=clock)
    assert Advance.objects.get(contract_uuid=contract).status == AdvanceStatus.PAID
    _end(shop, clock, contract, "cooling_off")

    assert _clawbacks(contract) == [("cooling_off", 429_920)]
    assert _closing_lines(shop, contract) == sorted(
        [("shop_receivable", 429_920), ("cash", -39_900), ("customer_receivable", -438_900),
         ("fee_revenue", 1_000), ("discount", 47_880)]
    )  # fmt: skip
    assert Advance.objects.get(contract_uuid=contract).status == AdvanceStatus.PAID
    assert_ledger_ok()


def test_a_contract_closes_once(shop, clock):
    contract = _bought(shop, clock, rule="full", periods_paid=3)
    _end(shop, clock, contract, "early_termination")
    _end(shop, clock, contract, "early_termination")  # delivered twice
    _end(shop, clock, contract, "default")  # a later, different reason: ignored
    advance_close(shop_id=shop.pk, contract_uuid=contract, reason="early_termination", clock=clock)

    assert _clawbacks(contract) == [("early_termination", 310_220)]
    assert PlatformJournal.objects.filter(idempotency_key__startswith="advance-close:").count() == 1
    assert Advance.objects.get(contract_uuid=contract).closed_reason == "early_termination"
    assert_ledger_ok()


def test_a_termination_without_a_funding_reason_or_advance_changes_nothing(shop, clock):
    contract = _bought(shop, clock, rule="full", periods_paid=1)
    emit(shop, terminated(contract, "completed"), terminated(uuid.uuid4(), "pet_loss"))
    report = drain(shop, clock)
    assert report.applied == 2
    assert Advance.objects.get(contract_uuid=contract).closed_reason == ""
    closings = PlatformJournal.objects.filter(kind__in=("advance.closed", "advance.cancelled"))
    assert (Clawback.objects.count(), closings.count()) == (0, 0)
    assert_ledger_ok()
