"""Funding terms, advance amounts, the T+n payable date and the purchase journal."""
import logging
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pawpact.platform.enums import AdvanceStatus, RecourseRule
from pawpact.platform.funding.advances import (
    ContractBought,
    advance_amounts,
    advance_create,
    advances_create_bulk,
    collection_record,
)
from pawpact.platform.funding.errors import AdvanceRefused, FundingTermsInvalid
from pawpact.platform.funding.ledger import account_balances
from pawpact.platform.funding.terms import DEFAULT_TERMS, Terms, funding_terms_get, funding_terms_set
from pawpact.platform.models import Advance, FundingTerms, PlatformEvent, PlatformJournal, PlatformLedgerLine
from tests.platform.funding.conftest import NOW, assert_ledger_ok, drain, emit, paid, signed


def _contract(shop, *, value=478_800, monthly=39_900, periods=12, signed_at=NOW) -> ContractBought:
    return ContractBought(shop_id=shop.pk, contract_uuid=uuid.uuid4(), value_minor=value, monthly_amount_minor=monthly,
                          periods=periods, currency="CNY", signed_at=signed_at)  # fmt: skip


def _lines(journal) -> list[tuple[str, int]]:
    return sorted(journal.lines.values_list("account", "amount_minor"))


def test_the_advance_is_value_times_rate_minus_fee():
    terms = Terms(advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full", settlement_delay_days=7)
    amounts = advance_amounts(value_minor=478_800, currency="CNY", terms=terms)
    assert (amounts.gross_minor, amounts.amount_minor, amounts.discount_minor) == (430_920, 429_920, 47_880)
    # One rounding, half up: 599 × 24 × 0.8765 = 126,005.64 → 126,006; 12,345 × 0.5 = 6,172.5 → 6,173.
    odd = Terms(advance_rate=Decimal("0.8765"), fee_minor=0, recourse_rule="full", settlement_delay_days=7)
    assert advance_amounts(value_minor=143_760, currency="CNY", terms=odd).amount_minor == 126_006
    half = Terms(advance_rate=Decimal("0.5"), fee_minor=0, recourse_rule="full", settlement_delay_days=7)
    assert advance_amounts(value_minor=12_345, currency="CNY", terms=half).amount_minor == 6_173  # 6,172.5 ↑


def test_a_signed_contract_creates_its_advance_payable_t_plus_7_with_a_balanced_purchase_journal(shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full",
                      settlement_delay_days=7)  # fmt: skip
    contract = uuid.uuid4()
    emit(shop, signed(contract))
    drain(shop, clock)

    advance = Advance.objects.get(shop=shop, contract_uuid=contract)
    assert (advance.contract_value_minor, advance.advance_rate, advance.fee_minor, advance.amount_minor) == (
        478_800, Decimal("0.9000"), 1_000, 429_920,
    )  # fmt: skip
    assert (advance.monthly_amount_minor, advance.periods, advance.signed_at) == (39_900, 12, NOW)
    assert advance.payable_on == date(2026, 3, 23)  # signed Monday 16 March (Beijing) + 7 calendar days
    assert advance.status == AdvanceStatus.PENDING
    journal = PlatformJournal.objects.get(idempotency_key=f"advance:{shop.pk}:{contract}")
    assert journal.kind == "advance.purchased"
    assert _lines(journal) == sorted(
        [("customer_receivable", 478_800), ("advances_payable", -429_920), ("fee_revenue", -1_000),
         ("discount", -47_880)]
    )  # fmt: skip
    assert_ledger_ok()


def test_the_payable_date_follows_the_beijing_signing_date_and_the_configured_delay(shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("1"), fee_minor=0, recourse_rule="none",
                      settlement_delay_days=3)  # fmt: skip
    late_evening_utc = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)  # 01:30 on 17 March in Beijing
    advance = advance_create(contract=_contract(shop, signed_at=late_evening_utc), clock=clock)
    assert advance.payable_on == date(2026, 3, 20)
    # Rate 1 and no fee: no discount line, no fee line.
    journal = PlatformJournal.objects.get(contract_uuid=advance.contract_uuid)
    assert _lines(journal) == [("advances_payable", -478_800), ("customer_receivable", 478_800)]
    assert_ledger_ok()


def test_shops_without_terms_are_funded_on_the_defaults(shop, clock):
    assert funding_terms_get(shop_id=shop.pk) == DEFAULT_TERMS
    assert (DEFAULT_TERMS.advance_rate, DEFAULT_TERMS.fee_minor, DEFAULT_TERMS.recourse_rule,
            DEFAULT_TERMS.settlement_delay_days) == (Decimal("0.9"), 0, RecourseRule.FULL, 7)  # fmt: skip
    advance = advance_create(contract=_contract(shop), clock=clock)
    assert (advance.amount_minor, advance.fee_minor, advance.payable_on) == (430_920, 0, date(2026, 3, 23))


def test_creating_the_same_advance_twice_buys_once(shop, clock):
    contract = _contract(shop)
    first = advance_create(contract=contract, clock=clock)
    again = advance_create(contract=contract, clock=clock)
    assert first.pk == again.pk
    assert Advance.objects.count() == 1
    assert PlatformJournal.objects.count() == 1
    assert_ledger_ok()


def test_an_advance_eaten_by_its_fee_is_refused_logged_and_not_created(shop, clock, caplog):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.5"), fee_minor=49_999, recourse_rule="full")
    small = _contract(shop, value=99_998, monthly=8_333, periods=12)  # × 0.5 = 49,999 = the fee

    with caplog.at_level(logging.WARNING), pytest.raises(AdvanceRefused) as refused:
        advance_create(contract=small, clock=clock)

    assert refused.value.code == "advance_refused"
    assert "¥499.99" in refused.value.message
    assert "advance refused" in caplog.text and str(small.contract_uuid) in caplog.text
    assert (Advance.objects.count(), PlatformJournal.objects.count(), PlatformLedgerLine.objects.count()) == (0, 0, 0)


def test_a_refused_advance_through_the_drain_is_applied_as_nothing_and_its_debits_stay_the_shops(shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.5"), fee_minor=49_999, recourse_rule="full")
    contract = uuid.uuid4()
    emit(shop, signed(contract, total=99_998, monthly=8_333), ("debit.paid", {
        "contract_uuid": str(contract), "period_number": 1, "amount_minor": 8_333, "currency": "CNY",
        "attempt_number": 1}))  # fmt: skip
    report = drain(shop, clock)
    assert report.applied == 2
    assert PlatformEvent.objects.filter(applied_at__isnull=True).count() == 0
    assert (Advance.objects.count(), PlatformJournal.objects.count()) == (0, 0)
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("rate", "fee", "field"),
    [
        ("0", 0, "advance_rate"),
        ("1.5", 0, "advance_rate"),
        ("-0.1", 0, "advance_rate"),
        ("0.90001", 0, "advance_rate"),
        ("abc", 0, "advance_rate"),
        ("0.9", -1, "fee_minor"),
        ("0.9", 90_000, "fee_minor"),  # the whole advance on a ¥1,000 contract at 0.9
        ("0.9", 12.5, "fee_minor"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(shop, rate, fee, field):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.8"), fee_minor=500, recourse_rule="pro_rata")
    with pytest.raises(FundingTermsInvalid) as refused:
        funding_terms_set(shop=shop, advance_rate=rate, fee_minor=fee, recourse_rule="full")
    assert list(refused.value.fields) == [field]
    row = FundingTerms.objects.get(shop=shop)
    assert (row.advance_rate, row.fee_minor, row.recourse_rule) == (Decimal("0.8"), 500, "pro_rata")


def test_bad_recourse_and_delay_are_refused(shop):
    with pytest.raises(FundingTermsInvalid) as refused:
        funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=0, recourse_rule="some",
                          settlement_delay_days=-1)  # fmt: skip
    assert sorted(refused.value.fields) == ["recourse_rule", "settlement_delay_days"]
    assert FundingTerms.objects.count() == 0


def test_the_highest_fee_accepted_is_one_fen_below_the_smallest_plausible_advance(shop):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=89_999, recourse_rule="full")
    assert FundingTerms.objects.get(shop=shop).fee_minor == 89_999


def test_new_terms_apply_to_new_advances_only(shop, clock):
    before = advance_create(contract=_contract(shop), clock=clock)
    funding_terms_set(shop=shop, advance_rate=Decimal("0.8"), fee_minor=2_000, recourse_rule="full")
    after = advance_create(contract=_contract(shop), clock=clock)
    before.refresh_from_db()
    assert (before.amount_minor, after.amount_minor) == (430_920, 381_040)  # 478,800 × 0.8 − 2,000


def test_the_bulk_path_books_exactly_what_the_single_path_books(shop, other_shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    funding_terms_set(shop=other_shop, advance_rate=Decimal("0.5"), fee_minor=49_999, recourse_rule="full")
    single = advance_create(contract=_contract(shop), clock=clock)
    bulk = [_contract(shop), _contract(other_shop), _contract(other_shop, value=99_998)]  # the last is refused

    report = advances_create_bulk(contracts=bulk, clock=clock)
    again = advances_create_bulk(contracts=bulk, clock=clock)

    assert (report.created, report.refused, again.created) == (2, 1, 0)
    twin = Advance.objects.get(contract_uuid=bulk[0].contract_uuid)
    fields = ("amount_minor", "fee_minor", "advance_rate", "payable_on", "status", "contract_value_minor")
    assert [getattr(twin, f) for f in fields] == [getattr(single, f) for f in fields]
    single_journal = PlatformJournal.objects.get(contract_uuid=single.contract_uuid)
    bulk_journal = PlatformJournal.objects.get(contract_uuid=twin.contract_uuid)
    assert (bulk_journal.kind, bulk_journal.shop_id, _lines(bulk_journal)) == (
        single_journal.kind, single_journal.shop_id, _lines(single_journal),
    )  # fmt: skip
    assert Advance.objects.get(contract_uuid=bulk[1].contract_uuid).amount_minor == 239_400 - 49_999
    assert PlatformJournal.objects.count() == 3
    assert_ledger_ok()


def test_collections_are_booked_once_and_only_for_bought_contracts(shop, clock):
    contract, not_bought = uuid.uuid4(), uuid.uuid4()
    emit(shop, signed(contract), paid(contract, 1), paid(not_bought, 1))
    drain(shop, clock)
    # Replayed (a crash before applied_at was written): nothing more is booked.
    collection_record(shop_id=shop.pk, contract_uuid=contract, amount_minor=39_900, currency="CNY",
                      period_number=1, attempt_number=1)  # fmt: skip

    advance = Advance.objects.get(contract_uuid=contract)
    assert advance.collected_minor == 39_900
    journal = PlatformJournal.objects.get(kind="advance.collection")
    assert journal.idempotency_key == f"collection:{shop.pk}:{contract}:1:1"
    assert (journal.contract_uuid, journal.shop_id) == (contract, shop.pk)
    assert _lines(journal) == [("cash", 39_900), ("customer_receivable", -39_900)]
    assert account_balances(shop_id=shop.pk)["customer_receivable"] == 478_800 - 39_900
    check = assert_ledger_ok()
    assert (check.collections_minor, check.collection_journals_minor, check.cash_minor) == (39_900, 39_900, 39_900)
