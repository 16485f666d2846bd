"""Debit attempts: one try at charging one period.

The protocol, so that a period is never charged twice:
1. a short transaction locks the period, refuses if it is paid or an attempt is in
   flight, and commits a STARTED attempt carrying the idempotency key;
2. the rail is called outside any transaction, with that key;
3. `attempt_finish` records the outcome in a second transaction (no-op if the
   attempt is already finished). An unknown outcome (network) leaves the attempt
   STARTED; a later run asks the rail again with the same key, and the rail
   answers a repeated key with its first outcome instead of charging again.
The partial unique indexes on DebitAttempt (one success, one STARTED per period)
and the unique key are the last line of defence behind these checks.

Call `period_collect` outside a transaction: the STARTED marker must be committed
before the rail is called.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pawpact.billing.enums import AttemptStatus, ContractStatus, JournalKind, LedgerAccount, PeriodStatus
from pawpact.billing.errors import (
    AmountOverRailCap,
    DebitNotAllowed,
    DebitNotDue,
    IllegalTransition,
    InvalidPaymentMethod,
)
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod
from pawpact.core.clock import Clock, default_clock, local_date
from pawpact.core.events import EventKind
from pawpact.core.money import Money
from pawpact.outbox.services import outbox_emit, shop_events_publish
from pawpact.payments.base import ChargeResult, PaymentRail
from pawpact.payments.policies import is_within_allowed_hours, policy_for
from pawpact.payments.registry import rail_for, rail_ready

logger = logging.getLogger(__name__)

# A STARTED attempt younger than this may still be waiting for its rail: leave it alone.
# Older, its worker is gone (a debit-run task is killed at its 600 s hard time limit),
# so a later run resumes it with its own key.
IN_FLIGHT_LEASE = timedelta(minutes=15)

COLLECTABLE_PERIOD_STATUSES = (
    PeriodStatus.SCHEDULED,
    PeriodStatus.REMINDED,
    PeriodStatus.ATTEMPTED,
    PeriodStatus.FAILED,
    PeriodStatus.RETRYING,
)
# Signing collects period 1 before the contract becomes active.
COLLECTABLE_CONTRACT_STATUSES = (ContractStatus.SIGNED, ContractStatus.ACTIVE)


def attempt_key(*, contract: Contract, period_number: int, attempt_number: int) -> str:
    """Deterministic per contract, period and attempt: the rail's idempotency key."""
    return f"debit:{contract.uuid}:{period_number}:{attempt_number}"


def period_paid_key(period_id: int) -> str:
    return f"period.paid:{period_id}"


def period_paid_lines(amount_minor: int) -> list[Line]:
    """Cash comes in against the receivable; one month of deferred revenue is earned."""
    return [
        Line(LedgerAccount.CASH, amount_minor),
        Line(LedgerAccount.RECEIVABLE, -amount_minor),
        Line(LedgerAccount.DEFERRED_REVENUE, amount_minor),
        Line(LedgerAccount.PLAN_REVENUE, -amount_minor),
    ]


def debit_event_payload(*, contract: Contract, period: DebitPeriod, attempt: DebitAttempt, at: datetime) -> dict:
    payload = {
        "contract_uuid": str(contract.uuid),
        "period_number": period.number,
        "amount_minor": attempt.amount_minor,
        "currency": period.currency,
        "attempt_number": attempt.number,
        "outcome": attempt.outcome,
        "at": at.isoformat(),
    }
    if attempt.status == AttemptStatus.FAILED:
        payload["decline_type"] = attempt.decline_type
    return payload


@dataclass
class Outcome:
    """What recording one rail result writes, as plain data: `attempt_finish` posts it
    through journal_post/outbox_emit, the batched run inserts many at once."""

    attempt: DebitAttempt
    period: DebitPeriod
    event_kind: str
    event_payload: dict
    journal_key: str | None = None
    lines: list[Line] = field(default_factory=list)


def outcome_build(*, attempt: DebitAttempt, period: DebitPeriod, result: ChargeResult, now: datetime) -> Outcome:
    """Apply a known rail result to a STARTED attempt and its period, in memory.

    Shared by `attempt_finish` (one debit) and the batched debit run, so both write
    the same states, journal key and lines, and outbox payload.
    """
    attempt.outcome = result.outcome
    attempt.rail_reference = result.reference
    attempt.finished_at = now
    if result.succeeded:
        attempt.status = AttemptStatus.SUCCEEDED
        attempt.decline_type = ""
        period.status = PeriodStatus.PAID
        period.paid_at = now
        outcome = Outcome(
            attempt=attempt,
            period=period,
            event_kind=EventKind.DEBIT_PAID,
            event_payload={},
            journal_key=period_paid_key(period.pk),
            lines=period_paid_lines(attempt.amount_minor),
        )
    else:
        attempt.status = AttemptStatus.FAILED
        attempt.decline_type = result.decline_type or ""
        period.status = PeriodStatus.FAILED
        outcome = Outcome(attempt=attempt, period=period, event_kind=EventKind.DEBIT_FAILED, event_payload={})
    outcome.event_payload = debit_event_payload(contract=period.contract, period=period, attempt=attempt, at=now)
    return outcome


ATTEMPT_RESULT_FIELDS = ["status", "outcome", "decline_type", "rail_reference", "finished_at"]


def attempt_finish(*, attempt_id: int, result: ChargeResult, clock: Clock = default_clock) -> DebitAttempt:
    """Record a rail's answer for a STARTED attempt; an already finished attempt is returned unchanged.

    Also the entry point of webhook processing, so it may see an answer twice or late.
    """
    if result.is_unknown:
        # The rail could not say: the attempt stays STARTED and is asked again later.
        return DebitAttempt.objects.get(pk=attempt_id)
    with transaction.atomic():
        period_id = DebitAttempt.objects.values_list("period_id", flat=True).get(pk=attempt_id)
        # Lock order period → attempt, the same as when an attempt is opened.
        period = DebitPeriod.objects.select_for_update(of=("self",)).select_related("contract").get(pk=period_id)
        attempt = DebitAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.status != AttemptStatus.STARTED:
            return attempt
        now = clock.now()
        outcome = outcome_build(attempt=attempt, period=period, result=result, now=now)
        attempt.save(update_fields=ATTEMPT_RESULT_FIELDS)
        period.save(update_fields=["status", "paid_at"])
        if outcome.journal_key is not None:
            journal_post(
                key=outcome.journal_key,
                kind=JournalKind.PERIOD_PAID,
                lines=outcome.lines,
                currency=period.currency,
                contract=period.contract,
                attempt=attempt,
            )
        outbox_emit(
            kind=outcome.event_kind, aggregate_uuid=period.contract.uuid, payload=outcome.event_payload,
            livemode=period.contract.livemode,
        )  # fmt: skip
    paid_publish([outcome], clock=clock)
    return attempt


def paid_publish(outcomes: list[Outcome], *, clock: Clock = default_clock) -> None:
    """Tell the shop's own apps (the storefront ships the period's box) about periods just paid."""
    payloads = [outcome.event_payload for outcome in outcomes if outcome.event_kind == EventKind.DEBIT_PAID]
    shop_events_publish(kind=EventKind.DEBIT_PAID, payloads=payloads, clock=clock)


def period_collect(*, period: DebitPeriod, clock: Clock = default_clock) -> DebitAttempt:
    """Try to charge one period now and record the attempt.

    A paid period returns its succeeded attempt without charging. An attempt still in
    flight is returned as it is; one left STARTED longer than IN_FLIGHT_LEASE (its
    worker died, or the rail's answer was unknown) is resumed with its own key.
    """
    attempt, should_charge = _attempt_open(period_id=period.pk, clock=clock)
    if not should_charge:
        return attempt
    result = rail_charge(attempt=attempt)
    return attempt_finish(attempt_id=attempt.pk, result=result, clock=clock)


def _attempt_open(*, period_id: int, clock: Clock) -> tuple[DebitAttempt, bool]:
    """The attempt to charge with (new or resumed), or the one to return as is."""
    now = clock.now()
    with transaction.atomic():
        period = (
            DebitPeriod.objects.select_for_update(of=("self",))
            .select_related("contract__payment_method")
            .get(pk=period_id)
        )
        succeeded = period.attempts.filter(status=AttemptStatus.SUCCEEDED).first()
        if succeeded is not None:
            return succeeded, False
        started = period.attempts.filter(status=AttemptStatus.STARTED).first()
        if started is not None:
            started.period = period
            return started, started.started_at <= now - IN_FLIGHT_LEASE
        period_check_collectable(period=period, now=now)
        number = (period.attempts.aggregate(last=Max("number"))["last"] or 0) + 1
        attempt = DebitAttempt.objects.create(
            period=period,
            number=number,
            idempotency_key=attempt_key(contract=period.contract, period_number=period.number, attempt_number=number),
            rail=period.contract.payment_method.rail,
            amount_minor=period.amount_minor,
            status=AttemptStatus.STARTED,
            started_at=now,
        )
        period.status = PeriodStatus.ATTEMPTED
        period.save(update_fields=["status"])
    return attempt, True


def period_check_collectable(*, period: DebitPeriod, now: datetime) -> None:
    """Raise unless this period may be charged at `now` (state, payment method, rail policy)."""
    contract = period.contract
    if period.status == PeriodStatus.PAID:
        raise IllegalTransition(_("This period is already paid."))
    if period.status not in COLLECTABLE_PERIOD_STATUSES:
        raise DebitNotAllowed(
            _("A period that is %(status)s cannot be charged.") % {"status": PeriodStatus(period.status).label}
        )
    if contract.status not in COLLECTABLE_CONTRACT_STATUSES:
        raise DebitNotAllowed(
            _("A contract that is %(status)s is not charged.") % {"status": ContractStatus(contract.status).label}
        )
    payment_method = contract.payment_method
    if payment_method is None or not payment_method.is_active:
        raise InvalidPaymentMethod(_("The contract has no active payment method."))
    if now < period.not_before:
        raise DebitNotDue(_("This period cannot be charged before %(when)s.") % {"when": period.not_before.isoformat()})
    if payment_method.livemode != contract.livemode:
        raise InvalidPaymentMethod(_("The contract's payment method belongs to the other mode (test or live)."))
    policy = policy_for(payment_method.rail)
    if not is_within_allowed_hours(at=now, policy=policy):
        raise DebitNotDue(_("The payment method's rail does not allow debits at this hour."))
    if not period_notice_ok(period=period, rail=payment_method.rail, now=now):
        raise DebitNotDue(_("The rail's pre-debit notice for this period has not been given long enough ago."))
    if policy.max_amount_minor is not None and period.amount_minor > policy.max_amount_minor:
        raise AmountOverRailCap(_("The amount exceeds what this payment method may debit at once."))
    if not rail_ready(payment_method.rail, livemode=contract.livemode):
        # Nothing is sent: a sandbox token never pays a live contract, and a real rail needs
        # the shop's verified credentials for the contract's mode.
        rail_for(payment_method.rail, livemode=contract.livemode)
        raise DebitNotAllowed(_("The payment method's rail cannot charge here."))


def period_notice_ok(*, period: DebitPeriod, rail: str, now: datetime) -> bool:
    """Whether the rail's pre-debit notice for this period (if it needs one) is old enough
    (pawpact.billing.services.pre_debit_notices sends them)."""
    days = policy_for(rail).pre_debit_notice_days
    if not days:
        return True
    noticed = period.pre_debit_noticed_at
    return noticed is not None and local_date(noticed) <= local_date(now - timedelta(days=days))


def rail_charge(*, attempt: DebitAttempt, rail: PaymentRail | None = None) -> ChargeResult:
    """Ask the rail to charge a STARTED attempt (first time or again, always with its own key).

    Expects attempt.period.contract.payment_method loaded; with `rail` given (an adapter
    resolved beforehand) it touches no database, so threads may call it. Any exception
    counts as an unknown outcome: the attempt stays STARTED and is asked again later.
    """
    period = attempt.period
    contract = period.contract
    payment_method = contract.payment_method
    try:
        return (rail or rail_for(attempt.rail, livemode=contract.livemode)).charge(
            token=payment_method.token,
            customer_ref=payment_method.rail_customer_ref,
            amount=Money(attempt.amount_minor, period.currency),
            idempotency_key=attempt.idempotency_key,
            # A function of the key alone: a rail may refuse a repeated key with other parameters.
            metadata={
                "contract_uuid": str(contract.uuid),
                "period_number": str(period.number),
                "attempt_number": str(attempt.number),
            },
        )
    except Exception as error:  # noqa: BLE001 — an unreachable or broken rail must not lose the marker
        logger.exception("Rail %s failed for attempt %s; outcome unknown", attempt.rail, attempt.idempotency_key)
        return ChargeResult(succeeded=False, outcome=f"rail_error:{type(error).__name__}", is_unknown=True)
