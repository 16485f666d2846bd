"""Settling partner redemptions through the platform: a month's redemptions are charged to
each shop (deducted from its next payout) and paid to each partner, with balanced journals;
a rerun charges and pays nothing again; a failed transfer is retried with the same key."""
import uuid
from datetime import date, datetime, timedelta

from pawpact.core.clock import FixedClock
from pawpact.core.money import Money
from pawpact.partners.bookings import partner_booking_cancel, partner_booking_complete, partner_booking_send
from pawpact.partners.enums import PaymentStatus
from pawpact.partners.models import PartnerPayment
from pawpact.platform.enums import ClawbackReason
from pawpact.platform.funding.ledger import account_balances
from pawpact.platform.funding.payout_rails import PartnerTransferOrder, SandboxPayoutRail, TransferResult
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.models import Clawback, Payout, PlatformJournal
from pawpact.platform.partner_clearing import partner_clearing_close
from tests.partners.factories import listed
from tests.platform.funding.conftest import NOW, assert_ledger_ok, drain, emit, paid, signed

APRIL_FIRST = FixedClock(datetime(2026, 4, 1, 2, 0, tzinfo=NOW.tzinfo))


def redeem(shop, partner, *, at: datetime, with_entitlement=True, complete=True):
    clock = FixedClock(at)
    sent = partner_booking_send(
        shop=shop, partner_id=partner.pk, customer_uuid=uuid.uuid4(), customer_name="Lin Wei", pet_name="Mochi",
        service="checkup", scheduled_at=at + timedelta(hours=1), with_entitlement=with_entitlement, clock=clock,
        **({"contract_uuid": uuid.uuid4(), "period_number": 2, "entitlement_kind": "checkup"} if with_entitlement else {}),
    )  # fmt: skip
    if complete:
        return partner_booking_complete(shop=shop, booking_id=sent.pk, clock=FixedClock(at + timedelta(hours=2)))
    return sent


def journal_lines(key):
    return sorted(PlatformJournal.objects.get(idempotency_key=key).lines.values_list("account", "amount_minor"))


class FailingRail:
    name = "sandbox"

    def transfer(self, order):
        return TransferResult(succeeded=False, error="account closed")


def test_a_months_redemptions_are_charged_to_shops_paid_to_partners_and_deducted_from_the_payout(
    shop, other_shop, clock
):
    riverside, jade = listed(name="Riverside Vet", price_minor=8_000), listed(name="Jade Clinic", price_minor=6_000)
    contract = uuid.uuid4()
    emit(shop, signed(contract), paid(contract, 1))
    drain(shop, clock)  # one advance of 430,920 payable on 23 March (default terms)
    march = NOW
    redeem(shop, riverside, at=march)
    redeem(shop, riverside, at=march + timedelta(days=3))
    redeem(shop, jade, at=march + timedelta(days=4))
    redeem(other_shop, riverside, at=march + timedelta(days=5))
    redeem(shop, riverside, at=march, with_entitlement=False)  # paid by the customer: not cleared
    cancelled = redeem(shop, jade, at=march, complete=False)
    partner_booking_cancel(shop=shop, booking_id=cancelled.pk)
    redeem(shop, jade, at=march + timedelta(days=17))  # completed on 2 April: April's
    assert_ledger_ok()

    report = partner_clearing_close(clock=APRIL_FIRST, rail=SandboxPayoutRail())
    assert report.months == [date(2026, 3, 1)]
    assert (report.shops_charged, report.charged_minor, report.payments_paid, report.paid_minor) == (
        2, 30_000, 2, 30_000)
    charges = {c.shop_id: c for c in Clawback.objects.filter(reason=ClawbackReason.PARTNER_CLEARING)}
    assert {shop_id: c.amount_minor for shop_id, c in charges.items()} == {shop.pk: 22_000, other_shop.pk: 8_000}
    assert {c.clearing_month for c in charges.values()} == {date(2026, 3, 1)}
    payments = {p.partner_id: p for p in PartnerPayment.objects.all()}
    assert {pid: (p.redemptions, p.amount_minor, p.status) for pid, p in payments.items()} == {
        riverside.pk: (3, 24_000, PaymentStatus.PAID), jade.pk: (1, 6_000, PaymentStatus.PAID)}
    order = PartnerTransferOrder(payment_id=payments[jade.pk].pk, partner_id=jade.pk, partner_name=jade.name,
                                 month=date(2026, 3, 1), amount=Money(6_000))  # fmt: skip
    assert payments[jade.pk].rail_reference == SandboxPayoutRail().transfer(order).reference
    assert journal_lines(f"partner.clearing.charge:{shop.pk}:2026-03:CNY") == [
        ("clearing_receivable", -22_000), ("shop_receivable", 22_000)]
    assert journal_lines(f"partner.payment:{payments[riverside.pk].pk}") == [("cash", -24_000), ("partner_payable", 24_000)]
    balances = account_balances()
    assert (balances["clearing_receivable"], balances["partner_payable"]) == (6_000, -6_000)  # April's, still open
    assert_ledger_ok()

    again = partner_clearing_close(clock=APRIL_FIRST, rail=SandboxPayoutRail())
    assert (again.shops_charged, again.payments_created, again.payments_paid, again.paid_minor) == (0, 0, 0, 0)
    assert (PartnerPayment.objects.count(), Clawback.objects.count()) == (2, 2)
    assert PlatformJournal.objects.filter(kind__in=("partner.payment", "partner.clearing.charge")).count() == 4

    settlement_run(clock=FixedClock(datetime(2026, 4, 2, 2, 0, tzinfo=NOW.tzinfo)))
    payout = Payout.objects.get(shop=shop)
    assert (payout.advances_minor, payout.clawbacks_minor, payout.amount_minor) == (430_920, 22_000, 408_920)
    assert Clawback.objects.get(pk=charges[shop.pk].pk).payout == payout
    assert not Payout.objects.filter(shop=other_shop).exists()  # no advance yet: its charge waits
    assert account_balances(shop_id=other_shop.pk)["shop_receivable"] == 8_000
    assert_ledger_ok()


def test_a_failed_partner_transfer_is_retried_once_and_never_pays_twice(shop):
    riverside = listed(price_minor=8_000)
    redeem(shop, riverside, at=NOW)
    failed = partner_clearing_close(clock=APRIL_FIRST, rail=FailingRail())
    payment = PartnerPayment.objects.get()
    assert (failed.payments_failed, payment.status, payment.failure) == (1, PaymentStatus.FAILED, "account closed")
    assert not PlatformJournal.objects.filter(kind="partner.payment").exists()
    assert account_balances()["partner_payable"] == -8_000
    assert_ledger_ok()
    retried = partner_clearing_close(clock=APRIL_FIRST, rail=SandboxPayoutRail())
    assert (retried.payments_paid, retried.paid_minor) == (1, 8_000)
    assert partner_clearing_close(clock=APRIL_FIRST, rail=SandboxPayoutRail()).payments_paid == 0
    payment.refresh_from_db()
    assert (payment.status, payment.failure) == (PaymentStatus.PAID, "")
    assert PlatformJournal.objects.filter(kind="partner.payment").count() == 1
    assert account_balances()["partner_payable"] == 0
    assert_ledger_ok()


def test_nothing_is_settled_before_the_month_is_over(shop):
    redeem(shop, listed(price_minor=8_000), at=NOW)
    report = partner_clearing_close(clock=FixedClock(NOW + timedelta(days=10)), rail=SandboxPayoutRail())
    assert (report.months, PartnerPayment.objects.count(), Clawback.objects.count()) == ([], 0, 0)
