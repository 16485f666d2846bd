"""Renewing paid memberships at their period's end (a daily Celery beat run per shop).

`paid_renewals_run` renews in batches (pawpact.loyalty.paid_renewal_batch: claimed with
SKIP LOCKED, the charges with their idempotency keys committed before the rail is called,
rail calls from threads, each batch recorded in one transaction). `renewal_open` and
`paid_renewals_run_one_by_one` renew a single membership under its row lock in its own
transactions: what a member's change of payment method retries with, and the benchmark's
baseline. Either way a rerun finds nothing due for a paid period, and a charge whose rail
never answered is asked again under its own key: never charged twice. A cancelled
membership ends at its period's end instead; a declined renewal is retried
(pawpact.loyalty.paid_membership.RETRY_AFTER) and then lapses with a message.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from pawpact.core.clock import Clock, default_clock
from pawpact.loyalty.paid_membership import charge_key, membership_ended_emit, paid_charge_run
from pawpact.loyalty.paid_models import ChargeStatus, PaidCharge, PaidStatus
from pawpact.loyalty.paid_refunds import paid_refunds_retry
from pawpact.loyalty.paid_renewal_batch import BATCH_SIZE, memberships_due, renewal_batches_run

BATCH = 200
LEASE = timedelta(minutes=5)  # a charge PAYING longer than this lost its answer: ask again
_due = memberships_due


def renewal_open(*, membership_id: int, clock: Clock = default_clock) -> PaidCharge | None:
    """Under the membership's lock: end a cancelled one, or open the charge of its next period.
    None when there is nothing to charge now (ended, not due, another run has it)."""
    with transaction.atomic():
        membership = (
            _due(clock).select_for_update(skip_locked=True).select_related("plan", "customer", "payment_method")
            .filter(pk=membership_id).first()
        )  # fmt: skip
        if membership is None:
            return None
        period_start = membership.period_end
        if PaidCharge.objects.filter(membership=membership, period_start=period_start, status=ChargeStatus.PAYING).exists():
            return None  # its answer is awaited; the lease loop asks again
        if membership.cancel_at_period_end:
            membership.status, membership.ended_at = PaidStatus.ENDED, clock.now()
            membership.save(update_fields=["status", "ended_at"])
            membership_ended_emit(membership, reason="cancelled", clock=clock)
            return None
        attempt = PaidCharge.objects.filter(membership=membership, period_start=period_start).count() + 1
        return PaidCharge.objects.create(
            membership=membership, payment_method=membership.payment_method, period_start=period_start, attempt=attempt,
            amount_minor=membership.plan.price_minor,
            charge_key=charge_key(membership, period_start, attempt), created_at=clock.now(),
        )  # fmt: skip


def paid_renewals_run(*, clock: Clock = default_clock, batch_size: int = BATCH_SIZE,
                      resume_after: timedelta = LEASE) -> int:  # fmt: skip
    """Settle refunds and charges whose answer was lost, then renew (or end) every membership
    due, in batches; how many charges were run. `resume_after`: how old a PAYING charge must
    be before it counts as abandoned (timedelta(0) only when no other run can be alive)."""
    paid_refunds_retry(clock=clock)
    return renewal_batches_run(clock=clock, batch_size=batch_size, resume_after=resume_after).charged


def paid_renewals_run_one_by_one(*, clock: Clock = default_clock) -> int:
    """The same renewals, one membership (three transactions) at a time."""
    ran = 0
    paid_refunds_retry(clock=clock)
    stale = PaidCharge.objects.select_related("membership__payment_method").filter(
        status=ChargeStatus.PAYING, created_at__lte=clock.now() - LEASE
    )
    for charge in stale.order_by("id")[:BATCH]:
        paid_charge_run(charge=charge, clock=clock)
        ran += 1
    for membership_id in list(_due(clock).order_by("period_end", "id").values_list("pk", flat=True)):
        charge = renewal_open(membership_id=membership_id, clock=clock)
        if charge is not None:
            paid_charge_run(charge=PaidCharge.objects.select_related("membership__payment_method").get(pk=charge.pk),
                            clock=clock)  # fmt: skip
            ran += 1
    return ran
