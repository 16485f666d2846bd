"""The entitlement clearing house: a shop's customer redeems a plan entitlement at a
partner clinic, the shop owes the partner the agreed price, and the platform settles it.

1. On completion, one journal per booking, keyed by the booking (a retry never posts twice):
       partner.clearing  key "partner.clearing:<booking>"
           CLEARING_RECEIVABLE +price   PARTNER_PAYABLE −price
2. When a month is over, `partner_clearing_close` settles it, every step idempotent:
   - each shop is charged the month's total as a clawback without an advance (reason
     partner_clearing, one per shop and month), which the daily settlement run deducts
     from the shop's next payout like any clawback (pawpact.platform.funding.settlement):
       partner.clearing.charge  key "partner.clearing.charge:<shop>:<YYYY-MM>:<currency>"
           SHOP_RECEIVABLE +total   CLEARING_RECEIVABLE −total
   - each partner is paid the month's total, one PartnerPayment per partner and month,
     through the partner rail with the key "partner.payment:<id>"; when the rail confirms:
       partner.payment  key "partner.payment:<id>"
           PARTNER_PAYABLE +total   CASH −total
     A failed transfer is retried by the next close; an unknown outcome waits, created. In
     live mode a partner is paid into its verified payout account only: without one the
     payment is held, and paid as soon as the account is verified (or by the next close).
Nothing is charged or paid twice: the rows are unique per month, the journals per key,
and the transfer is the same transfer at the provider when retried.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Sum

from pawpact.core.clock import Clock, default_clock, local_date, local_midnight
from pawpact.core.money import Money
from pawpact.core.months import month_add, month_start
from pawpact.partners.enums import BookingStatus, PaymentStatus
from pawpact.partners.models import PartnerBooking, PartnerPayment
from pawpact.platform.enums import ClawbackReason, PlatformAccount, PlatformJournalKind
from pawpact.platform.funding.ledger import Line, journal_post
from pawpact.platform.funding.payout_rails import PartnerTransferOrder, PayoutRail, partner_rail_for
from pawpact.platform.models import Clawback

logger = logging.getLogger(__name__)

CHARGE_KIND = "partner.clearing.charge"
PAYMENT_KIND = "partner.payment"


def clearing_key(booking_id: int) -> str:
    return f"partner.clearing:{booking_id}"


def partner_clearing_post(*, booking_id: int):
    booking = PartnerBooking.objects.select_related("partner").get(pk=booking_id)
    if booking.status != BookingStatus.COMPLETED or not booking.with_entitlement or booking.price_minor <= 0:
        return None
    journal, _created = journal_post(
        key=clearing_key(booking.pk),
        kind=PlatformJournalKind.PARTNER_CLEARING,
        lines=[
            Line(PlatformAccount.CLEARING_RECEIVABLE, booking.price_minor),
            Line(PlatformAccount.PARTNER_PAYABLE, -booking.price_minor),
        ],
        currency=booking.currency,
        shop_id=booking.shop_id,
        memo=f"{booking.partner.name}: {booking.get_service_display()} for {booking.pet_name}",
        at=booking.completed_at,
    )
    return journal


def cleared_in(month: date):
    """Redemptions completed (so cleared) in `month`, shop-local."""
    start, end = local_midnight(month_start(month)), local_midnight(month_add(month_start(month), 1))
    return PartnerBooking.objects.filter(status=BookingStatus.COMPLETED, with_entitlement=True, price_minor__gt=0,
                                         completed_at__gte=start, completed_at__lt=end)  # fmt: skip


@dataclass
class ClearingReport:
    months: list[date] = field(default_factory=list)
    shops_charged: int = 0
    charged_minor: int = 0
    payments_created: int = 0
    payments_paid: int = 0
    paid_minor: int = 0
    payments_failed: int = 0
    payments_unknown: int = 0
    payments_held: int = 0


def _shops_charge(month: date, now: datetime, report: ClearingReport) -> None:
    totals = cleared_in(month).values("shop_id", "currency").annotate(total=Sum("price_minor")).order_by("shop_id")
    for row in totals:
        with transaction.atomic():
            clawback, created = Clawback.objects.get_or_create(
                shop_id=row["shop_id"], reason=ClawbackReason.PARTNER_CLEARING, clearing_month=month,
                currency=row["currency"], defaults={"amount_minor": row["total"], "created_at": now},
            )  # fmt: skip
            journal_post(
                key=f"{CHARGE_KIND}:{row['shop_id']}:{month:%Y-%m}:{row['currency']}", kind=CHARGE_KIND,
                lines=[Line(PlatformAccount.SHOP_RECEIVABLE, clawback.amount_minor),
                       Line(PlatformAccount.CLEARING_RECEIVABLE, -clawback.amount_minor)],
                currency=clawback.currency, shop_id=clawback.shop_id, at=now,
                memo=f"partner redemptions {month:%Y-%m}, deducted from the next payout",
            )  # fmt: skip
        if created:
            report.shops_charged += 1
            report.charged_minor += clawback.amount_minor


def _payments_create(month: date, now: datetime, report: ClearingReport) -> None:
    totals = cleared_in(month).values("partner_id", "currency").annotate(n=Count("id"), total=Sum("price_minor"))
    for row in totals.order_by("partner_id"):
        _payment, created = PartnerPayment.objects.get_or_create(
            partner_id=row["partner_id"], month=month, currency=row["currency"],
            defaults={"redemptions": row["n"], "amount_minor": row["total"], "created_at": now},
        )  # fmt: skip
        report.payments_created += int(created)


def _payment_record(payment_id: int, *, reference: str, rail: str, now: datetime) -> bool:
    """The rail confirmed: paid and journalled, once (the row lock and the status guard)."""
    with transaction.atomic():
        payment = PartnerPayment.objects.select_for_update().select_related("partner").get(pk=payment_id)
        if payment.status == PaymentStatus.PAID:
            return False
        payment.status, payment.rail, payment.rail_reference, payment.paid_at, payment.failure = (
            PaymentStatus.PAID, rail, reference, now, "",
        )  # fmt: skip
        payment.save(update_fields=["status", "rail", "rail_reference", "paid_at", "failure"])
        journal_post(
            key=f"{PAYMENT_KIND}:{payment.pk}", kind=PAYMENT_KIND, currency=payment.currency, at=now,
            lines=[Line(PlatformAccount.PARTNER_PAYABLE, payment.amount_minor),
                   Line(PlatformAccount.CASH, -payment.amount_minor)],
            memo=f"{payment.partner.name}: {payment.redemptions} redemptions {payment.month:%Y-%m}",
        )  # fmt: skip
    return True


def _payments_pay(rail: PayoutRail, clock: Clock, report: ClearingReport, *, partner_id: int | None = None) -> None:
    payable = PartnerPayment.objects.filter(
        status__in=(PaymentStatus.CREATED, PaymentStatus.FAILED, PaymentStatus.HELD)
    )
    if partner_id is not None:
        payable = payable.filter(partner_id=partner_id)
    for payment in payable.select_related("partner").order_by("id"):
        order = PartnerTransferOrder(payment_id=payment.pk, partner_id=payment.partner_id,
                                     partner_name=payment.partner.name, month=payment.month,
                                     amount=Money(payment.amount_minor, payment.currency))  # fmt: skip
        result = rail.transfer(order)
        if result.succeeded:
            if _payment_record(payment.pk, reference=result.reference, rail=rail.name, now=clock.now()):
                report.payments_paid += 1
                report.paid_minor += payment.amount_minor
        elif result.is_unknown:
            report.payments_unknown += 1
        else:
            status = PaymentStatus.HELD if result.held else PaymentStatus.FAILED
            PartnerPayment.objects.filter(pk=payment.pk).exclude(status=PaymentStatus.PAID).update(
                status=status, rail=rail.name, failure="" if result.held else result.error[:200]
            )
            report.payments_held += int(result.held)
            report.payments_failed += int(not result.held)
            logger.warning("partner payment %s not paid: %s", payment.pk, result.error)


def partner_payments_release(*, partner_id: int, clock: Clock = default_clock,
                             rail: PayoutRail | None = None) -> ClearingReport:  # fmt: skip
    """Pay what the platform owes one partner now (its payout account was just verified)."""
    report = ClearingReport()
    _payments_pay(rail or partner_rail_for(), clock, report, partner_id=partner_id)
    return report


def months_to_close(*, today: date) -> list[date]:
    """Past months with cleared redemptions not yet charged to a shop or paid to a partner."""
    first = cleared_in_before(month_start(today)).order_by("completed_at").values_list("completed_at", flat=True)[:1]
    if not first:
        return []
    month, this_month, months = month_start(local_date(first[0])), month_start(today), []
    while month < this_month:
        if cleared_in(month).exists():
            months.append(month)
        month = month_add(month, 1)
    return months


def cleared_in_before(month: date):
    return PartnerBooking.objects.filter(status=BookingStatus.COMPLETED, with_entitlement=True, price_minor__gt=0,
                                         completed_at__lt=local_midnight(month))  # fmt: skip


def partner_clearing_close(*, clock: Clock = default_clock, rail: PayoutRail | None = None) -> ClearingReport:
    """Charge shops and pay partners for every past month of redemptions; safe to run again."""
    rail = rail or partner_rail_for()
    report = ClearingReport(months=months_to_close(today=clock.today()))
    for month in report.months:
        _shops_charge(month, clock.now(), report)
        _payments_create(month, clock.now(), report)
    _payments_pay(rail, clock, report)
    logger.info("partner clearing %s: %s shops charged %s, %s payments paid %s, %s failed, %s held, %s unknown",
                [m.isoformat() for m in report.months], report.shops_charged, report.charged_minor, report.payments_paid,
                report.paid_minor, report.payments_failed, report.payments_held, report.payments_unknown)  # fmt: skip
    return report
