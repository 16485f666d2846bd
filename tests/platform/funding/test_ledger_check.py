"""`manage.py platform_ledger_check`: passes on a good ledger, fails clearly on a corrupted one."""
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command, execute_from_command_line

from pawpact.platform.enums import PlatformAccount
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import Payout, PlatformEvent, PlatformJournal, PlatformLedgerLine
from tests.platform.funding.conftest import NOW, drain, emit, paid, signed, terminated


@pytest.fixture
def books(shop, other_shop, clock):
    """Advances, collections, a payout per shop, a clawback still open."""
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="pro_rata")
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    emit(shop, signed(first), paid(first, 1), signed(second), paid(second, 1))
    emit(other_shop, signed(third), paid(third, 1))
    drain(shop, clock)
    drain(other_shop, clock)
    clock.advance(timedelta(days=7))
    settlement_run(clock=clock)
    emit(shop, paid(first, 2), terminated(first, "pet_loss"))
    drain(shop, clock)
    return {"first": first}


def _check() -> str:
    out = io.StringIO()
    call_command("platform_ledger_check", stdout=out)
    return out.getvalue()


def _failure() -> None:
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "platform_ledger_check"])
    assert exit_.value.code == 1


def test_a_good_ledger_passes(books, capsys):
    output = _check()
    assert output.startswith("platform ledger: ok (")
    # Cash: 4 collections (3 × period 1, 1 × period 2) − 2 payouts (alpha 429,920 × 2, beta 430,920).
    assert "cash -¥11,311.60" in output  # 159,600 − 1,290,760 = −1,131,160 fen
    assert "shop receivable ¥3,582.67" in output  # pro rata, 10 of 12 unpaid: 429,920 × 10 / 12 = 358,266.67
    execute_from_command_line(["manage.py", "platform_ledger_check"])  # exits 0: no SystemExit
    assert "platform ledger: ok" in capsys.readouterr().out


def test_an_unbalanced_journal_fails_the_check(books, capsys):
    journal = PlatformJournal.objects.filter(kind="advance.purchased").first()
    PlatformLedgerLine.objects.create(journal=journal, account=PlatformAccount.FEE_REVENUE, amount_minor=-1)

    _failure()
    captured = capsys.readouterr()
    assert f"1 unbalanced journal(s): {journal.idempotency_key}" in captured.out
    assert "The platform ledger failed the check: 1 unbalanced journal(s)" in captured.err


def test_a_payout_paid_without_its_journal_fails_the_check(books, shop, capsys):
    payout = Payout.objects.get(shop=shop)
    journal = PlatformJournal.objects.get(idempotency_key=f"payout:{payout.pk}")
    journal.lines.all().delete()
    journal.delete()

    _failure()
    out = capsys.readouterr().out
    assert "platform ledger: FAILED" in out
    assert "cash -271320 != collections 159600 − cooling-off refunds 0 − paid payouts 1290760 + paid subscription invoices 0 = -1131160" in out
    assert "advances payable -859840 != −(advances not yet paid) 0" in out


def test_a_collection_never_booked_fails_the_check(books, capsys):
    event = PlatformEvent.objects.filter(kind="debit.paid").first()
    PlatformEvent.objects.create(
        shop_id=event.shop_id, tenant_event_id=10**9, kind="debit.paid", aggregate_uuid=event.aggregate_uuid,
        payload={**event.payload, "period_number": 9}, occurred_at=NOW, applied_at=NOW,
    )  # fmt: skip
    _failure()
    out = capsys.readouterr().out
    assert "collection journals 159600 != debit.paid amounts of applied events 199500" in out
    assert "cash -1131160 != collections 199500" in out


def test_a_payout_amount_changed_after_payment_fails_the_check(books, shop, capsys):
    Payout.objects.filter(shop=shop).update(amount_minor=1)
    _failure()
    assert "cash -1131160 != collections 159600 − cooling-off refunds 0 − paid payouts 430921 + paid subscription invoices 0 = -271321" in (
        capsys.readouterr().out
    )
