"""The daily settlement run: one payout per shop per day, exact sums, clawbacks deducted,
idempotent, failures retried, and the payout journal."""
import uuid
from datetime import date, timedelta
from decimal import Decimal

from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.platform import tasks
from pawpact.platform.enums import AdvanceStatus, PayoutStatus
from pawpact.platform.funding.ledger import account_balances
from pawpact.platform.funding.payout_rails import SandboxPayoutRail, TransferResult
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import Advance, Clawback, Payout, PlatformJournal
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop
from tests.platform.funding.conftest import NOW, assert_ledger_ok, drain, emit, paid, signed, terminated

PAYABLE = date(2026, 3, 23)


def _sign(shop, clock, *contracts, total=478_800, monthly=39_900, periods=12, signed_at=NOW, paid_periods=1):
    for contract in contracts:
        emit(shop, signed(contract, total=total, monthly=monthly, periods=periods, signed_at=signed_at),
             *(paid(contract, n, amount=monthly) for n in range(1, paid_periods + 1)))  # fmt: skip
    drain(shop, clock)


def _payout_lines(payout) -> list[tuple[str, int]]:
    journal = PlatformJournal.objects.get(idempotency_key=f"payout:{payout.pk}")
    assert (journal.kind, journal.shop_id) == ("payout.paid", payout.shop_id)
    return sorted(journal.lines.values_list("account", "amount_minor"))


def _on(clock, day: date):
    clock.advance(timedelta(days=(day - clock.today()).days))


def test_one_payout_per_shop_with_exact_sums_and_a_second_run_creates_nothing(shop, other_shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    a1, a2, a3, later, b1 = (uuid.uuid4() for _ in range(5))
    _sign(shop, clock, a1, a2)
    _sign(shop, clock, a3, total=1_437_600, monthly=59_900, periods=24)  # 599 × 24 → 1,292,840
    _sign(shop, clock, later, signed_at=NOW + timedelta(days=2))  # payable on the 25th
    _sign(other_shop, clock, b1)  # default terms: 430,920

    _on(clock, date(2026, 3, 22))
    assert settlement_run(clock=clock).payouts_created == 0  # nothing due before T+7
    _on(clock, PAYABLE)
    report = settlement_run(clock=clock)
    again = settlement_run(clock=clock)

    assert (report.payouts_created, report.advances, report.payouts_paid, report.paid_minor) == (
        2, 4, 2, 2 * 429_920 + 1_292_840 + 430_920,
    )  # fmt: skip
    assert (again.payouts_created, again.advances, again.payouts_paid) == (0, 0, 0)
    payouts = {p.shop_id: p for p in Payout.objects.all()}
    assert len(payouts) == 2
    alpha, beta = payouts[shop.pk], payouts[other_shop.pk]
    assert (alpha.settlement_date, alpha.advances_minor, alpha.clawbacks_minor, alpha.amount_minor) == (
        PAYABLE, 2_152_680, 0, 2_152_680,
    )  # fmt: skip
    assert (beta.advances_minor, beta.amount_minor) == (430_920, 430_920)
    for payout in (alpha, beta):
        assert (payout.status, payout.rail, payout.paid_at) == (PayoutStatus.PAID, "sandbox", clock.now())
        assert payout.rail_reference == SandboxPayoutRail().transfer(_order(payout)).reference
    assert _payout_lines(alpha) == [("advances_payable", 2_152_680), ("cash", -2_152_680)]
    assert sorted(Advance.objects.filter(payout=alpha).values_list("contract_uuid", flat=True)) == sorted([a1, a2, a3])
    assert set(Advance.objects.filter(payout__isnull=False).values_list("status", flat=True)) == {AdvanceStatus.PAID}
    assert Advance.objects.get(contract_uuid=later).status == AdvanceStatus.PENDING
    assert PlatformJournal.objects.filter(kind="payout.paid").count() == 2
    check = assert_ledger_ok()
    assert check.cash_minor == 4 * 39_900 + 59_900 - 2_583_600

    _on(clock, date(2026, 3, 25))
    next_day = settlement_run(clock=clock)
    assert (next_day.payouts_created, next_day.advances) == (1, 1)
    assert Payout.objects.get(shop=shop, settlement_date=date(2026, 3, 25)).amount_minor == 429_920
    assert_ledger_ok()


def _order(payout):
    from pawpact.core.money import Money
    from pawpact.platform.funding.payout_rails import PayoutOrder

    return PayoutOrder(payout_id=payout.pk, shop_id=payout.shop_id, shop_slug=payout.shop.slug,
                       settlement_date=payout.settlement_date, amount=Money(payout.amount_minor))  # fmt: skip


def test_a_clawback_is_deducted_from_the_next_payout(shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    first, second = uuid.uuid4(), uuid.uuid4()
    _sign(shop, clock, first)
    _sign(shop, clock, second, signed_at=NOW + timedelta(days=2), total=1_437_600, monthly=59_900, periods=24)
    _on(clock, PAYABLE)
    settlement_run(clock=clock)
    emit(shop, terminated(first, "early_termination"))
    drain(shop, clock)  # full recourse: 429,920 − 39,900 collected = 390,020

    _on(clock, date(2026, 3, 25))
    settlement_run(clock=clock)

    payout = Payout.objects.get(settlement_date=date(2026, 3, 25))
    assert (payout.advances_minor, payout.clawbacks_minor, payout.amount_minor) == (
        1_292_840, 390_020, 902_820,
    )  # fmt: skip
    assert Clawback.objects.get().payout == payout
    assert _payout_lines(payout) == sorted(
        [("advances_payable", 1_292_840), ("shop_receivable", -390_020), ("cash", -902_820)]
    )
    assert account_balances().get("shop_receivable", 0) == 0
    assert_ledger_ok()


def test_a_clawback_larger_than_the_advances_due_waits_whole_for_a_later_payout(shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=0, recourse_rule="full")
    big, small, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _sign(shop, clock, big, paid_periods=0)
    _on(clock, PAYABLE)
    settlement_run(clock=clock)
    emit(shop, terminated(big, "pet_loss"))  # clawback 430,920: nothing collected
    _sign(shop, clock, small, total=120_000, monthly=10_000, paid_periods=0, signed_at=NOW + timedelta(days=1))
    _on(clock, date(2026, 3, 24))
    settlement_run(clock=clock)

    waiting = Payout.objects.get(settlement_date=date(2026, 3, 24))
    assert (waiting.advances_minor, waiting.clawbacks_minor, waiting.amount_minor) == (108_000, 0, 108_000)
    assert Clawback.objects.get().payout is None
    assert account_balances()["shop_receivable"] == 430_920
    assert_ledger_ok()

    # A payout whose advances equal the clawback: nothing is transferred, both settle.
    _sign(shop, clock, third, signed_at=NOW + timedelta(days=2))
    _on(clock, date(2026, 3, 25))
    settlement_run(clock=clock)
    even = Payout.objects.get(settlement_date=date(2026, 3, 25))
    assert (even.advances_minor, even.clawbacks_minor, even.amount_minor, even.status, even.rail_reference) == (
        430_920, 430_920, 0, PayoutStatus.PAID, "",
    )  # fmt: skip
    assert _payout_lines(even) == [("advances_payable", 430_920), ("shop_receivable", -430_920)]
    assert_ledger_ok()


class FlakyRail:
    """Fails (or does not answer) the first time, then pays like the sandbox."""

    name = "sandbox"

    def __init__(self, first: TransferResult) -> None:
        self.first = first
        self.keys: list[str] = []

    def transfer(self, order):
        self.keys.append(order.idempotency_key)
        if len(self.keys) == 1:
            return self.first
        return SandboxPayoutRail().transfer(order)


def test_a_failed_transfer_is_retried_by_the_next_run_with_the_same_key(shop, clock):
    contract = uuid.uuid4()
    _sign(shop, clock, contract)
    _on(clock, PAYABLE)
    rail = FlakyRail(TransferResult(succeeded=False, error="account closed"))

    failed = settlement_run(clock=clock, rail=rail)
    payout = Payout.objects.get()
    assert (failed.payouts_failed, payout.status, payout.paid_at) == (1, PayoutStatus.FAILED, None)
    assert Advance.objects.get().status == AdvanceStatus.IN_PAYOUT
    assert PlatformJournal.objects.filter(kind="payout.paid").count() == 0
    assert_ledger_ok()

    _on(clock, PAYABLE + timedelta(days=1))
    retried = settlement_run(clock=clock, rail=rail)
    payout.refresh_from_db()
    assert (retried.payouts_created, retried.payouts_paid, payout.status) == (0, 1, PayoutStatus.PAID)
    assert rail.keys == [f"payout:{payout.pk}"] * 2
    assert Advance.objects.get().status == AdvanceStatus.PAID
    assert_ledger_ok()


def test_a_transfer_without_an_answer_stays_created_and_is_sent_again(shop, clock):
    _sign(shop, clock, uuid.uuid4())
    _on(clock, PAYABLE)
    rail = FlakyRail(TransferResult(succeeded=False, error="timeout", is_unknown=True))
    report = settlement_run(clock=clock, rail=rail)
    assert (report.payouts_unknown, Payout.objects.get().status) == (1, PayoutStatus.CREATED)
    settlement_run(clock=clock, rail=rail)  # the same day: nothing new, the transfer asked again
    assert Payout.objects.get().status == PayoutStatus.PAID
    assert Payout.objects.count() == 1
    assert_ledger_ok()


def test_a_deactivated_shops_advances_wait(shop, other_shop, clock):
    _sign(shop, clock, uuid.uuid4())
    _sign(other_shop, clock, uuid.uuid4())
    Shop.objects.filter(pk=other_shop.pk).update(state=ShopState.DEACTIVATED)
    _on(clock, PAYABLE)
    settlement_run(clock=clock)
    assert list(Payout.objects.values_list("shop__slug", flat=True)) == ["alpha"]
    assert Advance.objects.get(shop=other_shop).status == AdvanceStatus.PENDING
    assert_ledger_ok()


def test_the_settlement_task_runs_in_the_public_schema(shop, clock, time_machine):
    _sign(shop, clock, uuid.uuid4())
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    assert tasks.settlement_run_task.delay().get() == {"payouts_created": 1, "payouts_paid": 1}
    assert tasks.settlement_run_task.delay().get() == {"payouts_created": 0, "payouts_paid": 0}
    assert Payout.objects.get().settlement_date == PAYABLE
    assert_ledger_ok()
