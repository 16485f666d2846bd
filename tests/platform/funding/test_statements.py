"""Settlement statements: exact CSV rows, a PDF that renders Chinese."""
import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.statements import statement_build, statement_csv, statement_pdf
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import Payout
from pawpact.tenants.models import Shop
from tests.platform.funding.conftest import NOW, assert_ledger_ok, drain, emit, paid, signed, terminated


@pytest.fixture
def two_payouts(shop, other_shop, clock):
    """Alpha: a1 (3 periods paid) and a2 paid out on the 23rd; a1 ends early on the 24th,
    a3 (signed the 18th) is paid out on the 25th, less a1's clawback. Beta: one contract."""
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    a1, a2, a3 = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
    emit(shop, signed(a1), paid(a1, 1), paid(a1, 2), paid(a1, 3), signed(a2), paid(a2, 1))
    drain(shop, clock)
    emit(other_shop, signed(uuid.uuid4()), paid(uuid.uuid4(), 1))
    drain(other_shop, clock)
    clock.advance(timedelta(days=7))  # 23 March
    settlement_run(clock=clock)
    clock.advance(timedelta(days=1))  # 24 March
    emit(shop, signed(a3, signed_at=NOW + timedelta(days=2)), paid(a3, 1), terminated(a1, "early_termination"))
    drain(shop, clock)
    clock.advance(timedelta(days=1))  # 25 March
    settlement_run(clock=clock)
    return {
        "first": Payout.objects.get(shop=shop, settlement_date=date(2026, 3, 23)),
        "second": Payout.objects.get(shop=shop, settlement_date=date(2026, 3, 25)),
    }


def _rows(payout) -> list[list[str]]:
    return list(csv.reader(io.StringIO(statement_csv(statement_build(payout=payout)).decode("utf-8"))))


HEADER = ["section", "contract", "date", "description", "contract_value", "advance_rate", "fee", "amount", "currency"]
A1, A2, A3 = (str(uuid.UUID(int=n)) for n in (1, 2, 3))


def test_the_first_statement_lists_its_advances_and_every_collection_so_far(two_payouts):
    assert _rows(two_payouts["first"]) == [
        HEADER,
        ["advance", A1, "2026-03-16", "12 × 399.00", "4788.00", "0.9000", "10.00", "4299.20", "CNY"],
        ["advance", A2, "2026-03-16", "12 × 399.00", "4788.00", "0.9000", "10.00", "4299.20", "CNY"],
        ["collection", A1, "2026-03-16", "period 1, attempt 1", "", "", "", "399.00", "CNY"],
        ["collection", A1, "2026-03-16", "period 2, attempt 1", "", "", "", "399.00", "CNY"],
        ["collection", A1, "2026-03-16", "period 3, attempt 1", "", "", "", "399.00", "CNY"],
        ["collection", A2, "2026-03-16", "period 1, attempt 1", "", "", "", "399.00", "CNY"],
        ["total", "", "2026-03-23", "advances", "", "", "", "8598.40", "CNY"],
        ["total", "", "2026-03-23", "collections", "", "", "", "1596.00", "CNY"],
        ["total", "", "2026-03-23", "clawbacks", "", "", "", "0.00", "CNY"],
        ["total", "", "2026-03-23", "net_payout", "", "", "", "8598.40", "CNY"],
    ]


def test_the_next_statement_covers_the_days_since_and_deducts_the_clawback(two_payouts):
    assert _rows(two_payouts["second"]) == [
        HEADER,
        ["advance", A3, "2026-03-18", "12 × 399.00", "4788.00", "0.9000", "10.00", "4299.20", "CNY"],
        ["collection", A3, "2026-03-24", "period 1, attempt 1", "", "", "", "399.00", "CNY"],
        # Full recourse: 4,299.20 advanced − 1,197.00 collected.
        ["clawback", A1, "2026-03-24", "early_termination", "", "", "", "-3102.20", "CNY"],
        ["total", "", "2026-03-25", "advances", "", "", "", "4299.20", "CNY"],
        ["total", "", "2026-03-25", "collections", "", "", "", "399.00", "CNY"],
        ["total", "", "2026-03-25", "clawbacks", "", "", "", "-3102.20", "CNY"],
        ["total", "", "2026-03-25", "net_payout", "", "", "", "1197.00", "CNY"],
    ]
    statement = statement_build(payout=two_payouts["second"])
    assert (statement.since, statement.filename) == (
        date(2026, 3, 23), f"settlement-alpha-2026-03-25-{two_payouts['second'].pk}",
    )  # fmt: skip
    assert_ledger_ok()


def test_the_pdf_renders_a_chinese_shop_name(two_payouts, shop):
    Shop.objects.filter(pk=shop.pk).update(name="阿尔法宠物领养馆")
    payout = Payout.objects.select_related("shop").get(pk=two_payouts["second"].pk)
    pdf = statement_pdf(statement_build(payout=payout))
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf
    assert f"payout {payout.pk}".encode() in pdf
    assert len(pdf) > 2000
