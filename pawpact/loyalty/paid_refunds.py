"""Cancelling a paid membership under the shop's refund rule (PaidPlan.refund_days).

Cancelled within that many days of a paid period's start, the period's charge is refunded
in full and the membership ends at once; otherwise (and by default: 0 days) it stays to
the period's end and nothing is refunded. The refund follows the debit protocol: its key
is committed on the charge before the rail is called, the rail gives back at most once
per key, and the confirmation is recorded once (journal `membership.refunded:<key>`
reversing the revenue, and the `membership.refunded` event the platform's revenue figures read). A rail that does not answer leaves the key; the renewal run asks
again with it (pawpact.loyalty.paid_renewals), so the member is refunded exactly once.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.services.exit_money import rail_refund_record
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict
from pawpact.core.events import EventKind
from pawpact.core.money import Money
from pawpact.loyalty.paid_membership import membership_ended_emit
from pawpact.loyalty.paid_models import LIVE, ChargeStatus, PaidCharge, PaidMembership, PaidStatus
from pawpact.outbox.services import outbox_emit
from pawpact.payments.registry import rail_for

logger = logging.getLogger(__name__)


def _refundable(membership: PaidMembership, *, clock: Clock) -> PaidCharge | None:
    days = membership.plan.refund_days
    if not days:
        return None
    charge = PaidCharge.objects.filter(membership=membership, period_start=membership.period_start,
                                       status=ChargeStatus.PAID, refund_key="").first()  # fmt: skip
    if charge is None or clock.today() >= charge.period_start + timedelta(days=days):
        return None
    return charge


def paid_membership_cancel(*, membership: PaidMembership, clock: Clock = default_clock) -> PaidMembership:
    """Stop renewing. Within the plan's refund days the paid period is refunded and the
    membership ends now; else the member keeps the benefits to the period's end. Call outside
    a transaction; cancelling twice changes nothing more."""
    with transaction.atomic():
        locked = PaidMembership.objects.select_for_update().select_related("plan").get(pk=membership.pk)
        if locked.status not in LIVE:
            raise Conflict(_("This membership has ended already."))
        charge = _refundable(locked, clock=clock)
        if not locked.cancel_at_period_end:
            locked.cancel_at_period_end, locked.cancelled_at = True, clock.now()
            locked.save(update_fields=["cancel_at_period_end", "cancelled_at"])
        if charge is not None:
            PaidCharge.objects.filter(pk=charge.pk).update(refund_key=f"{JournalKind.MEMBERSHIP_REFUNDED}:{charge.charge_key}")
    if charge is not None:
        paid_refund_run(charge_id=charge.pk, clock=clock)
        locked.refresh_from_db()
    return locked


def paid_refund_run(*, charge_id: int, clock: Clock = default_clock) -> PaidCharge:
    """Ask the rail for the charge's refund under its key and record the confirmation once."""
    charge = PaidCharge.objects.select_related("payment_method", "membership__payment_method").get(pk=charge_id)
    if not charge.refund_key or charge.refunded_at is not None:
        return charge
    method = charge.payment_method or charge.membership.payment_method  # back to the method that paid
    try:
        reference = rail_for(method.rail, livemode=method.livemode).refund(
            token=method.token, charge_reference=charge.reference, amount=Money(charge.amount_minor, "CNY"),
            idempotency_key=charge.refund_key, metadata={"membership_uuid": str(charge.membership.uuid)},
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 — the key stays; the renewal run asks again with it
        logger.warning("Membership refund %s not confirmed: %s", charge.refund_key, error)
        return charge
    with transaction.atomic():
        membership = PaidMembership.objects.select_for_update().select_related("plan", "customer").get(
            pk=charge.membership_id
        )
        charge = PaidCharge.objects.select_for_update().get(pk=charge_id)
        if charge.refunded_at is not None:
            return charge
        charge.refunded_at = clock.now()
        charge.save(update_fields=["refunded_at"])
        rail_refund_record(payment_method=method, amount=Money(charge.amount_minor, "CNY"), key=charge.refund_key,
                           charge_reference=charge.reference, reference=reference, purpose="membership_refund")  # fmt: skip
        journal_post(key=charge.refund_key, kind=JournalKind.MEMBERSHIP_REFUNDED,
                     memo=f"membership {membership.plan.name} refunded, rail reference {reference}"[:255],
                     lines=[Line(LedgerAccount.MEMBERSHIP_REVENUE, charge.amount_minor),
                            Line(LedgerAccount.STORE_CASH, -charge.amount_minor)])  # fmt: skip
        _refunded_emit(membership, charge, clock=clock)
        if membership.status in LIVE:
            membership.status, membership.ended_at = PaidStatus.REFUNDED, clock.now()
            membership.save(update_fields=["status", "ended_at"])
            membership_ended_emit(membership, reason="refunded", clock=clock)
    return charge


def _refunded_emit(membership: PaidMembership, charge: PaidCharge, *, clock: Clock) -> None:
    """The platform's revenue figures take the refund off the membership revenue it counted."""
    outbox_emit(kind=EventKind.MEMBERSHIP_REFUNDED, aggregate_uuid=membership.uuid, payload={
        "membership_uuid": str(membership.uuid), "customer_uuid": str(membership.customer.uuid),
        "plan_name": membership.plan.name, "amount_minor": charge.amount_minor, "currency": "CNY",
        "period_start": charge.period_start.isoformat(), "at": clock.now().isoformat(),
    }, livemode=membership.payment_method.livemode)  # fmt: skip


def paid_refunds_retry(*, clock: Clock = default_clock) -> int:
    """Refunds whose rail did not answer, asked again with their key; how many were confirmed."""
    waiting = PaidCharge.objects.filter(refunded_at__isnull=True).exclude(refund_key="").values_list("pk", flat=True)
    return sum(paid_refund_run(charge_id=pk, clock=clock).refunded_at is not None for pk in list(waiting[:200]))
