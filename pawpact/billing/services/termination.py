"""How a contract ends: the one service that moves a contract out of ACTIVE, with every
amount it moves, and the termination quote shown before a customer decides.

Exits (TerminationKind → contract status, outbox reason):
  early         → terminated_early       early_termination  penalty = rate × remaining (quoted first)
  pet_loss      → terminated_pet_loss    pet_loss           evidence required, no penalty
  cooling_off   → cancelled_cooling_off  cooling_off        everything collected refunded, no penalty
  completion    → completed              completion         every period paid
  default       → defaulted              default            future periods cancelled, overdue ones kept
  shop_closure  → terminated_early       shop_closure       the platform closed the shop, no penalty
(ContractStatus has no status of its own for a shop closure: the contract is ended early
by the shop, and its Termination.kind and outbox reason say why.)
Every exit cancels the periods it stops with their receivable. A held deposit is refunded
in full, except on default: it pays the overdue periods first and only the rest is
refunded (exit_money.py). Refunded periods show as refunded on the debit calendar.

A quote asked for inside the cooling-off window (its last day included) is the free
cancellation, not an early termination: no penalty, every collected period and the deposit
refunded, valid until the window closes; executing it is the cooling-off exit.

Journals (debit-positive lines; one deterministic key per contract and movement):
  receivable.cancelled:{uuid}  DEFERRED_REVENUE +cancelled, RECEIVABLE −cancelled
  penalty:{uuid}               RECEIVABLE +penalty, PENALTY_REVENUE −penalty
  penalty.collected:{uuid}     CASH +penalty, RECEIVABLE −penalty
  refund:{uuid}                PLAN_REVENUE +collected, CASH −collected (cooling-off: the revenue
                               the refunded periods earned is reversed, so the contract nets to 0)
  deposit.applied:{uuid}       default only: DEPOSITS_HELD +applied, RECEIVABLE −applied,
                               DEFERRED_REVENUE +applied, PLAN_REVENUE −applied
  deposit.refunded:{uuid}      DEPOSITS_HELD +refund, CASH −refund

Rail calls (the penalty charge, refunds) run inside the transaction that holds the
contract's row lock, like the activation's first debit in signing.py: a concurrent exit
waits instead of moving money twice, and if anything after a rail call fails, the whole
exit rolls back and a retry repeats the same idempotency keys, which a rail answers with
its first outcome instead of moving money again.

The moves themselves are checked against the one contract state machine (contract_state.py);
withdrawal of a contract that never started is in withdrawal.py.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import (
    AttemptStatus,
    ContractStatus,
    DepositStatus,
    PeriodStatus,
    TerminationKind,
)
from pawpact.billing.errors import (
    CoolingOffOver,
    DebitInFlight,
    EvidenceRequired,
    IllegalTransition,
    PenaltyRateTooHigh,
    QuoteExpired,
    QuoteStale,
)
from pawpact.billing.models import (
    MAX_PENALTY_RATE,
    Contract,
    DebitAttempt,
    DebitPeriod,
    Termination,
    TerminationQuote,
)
from pawpact.billing.services.contract_state import contract_lock, contract_transition_check
from pawpact.billing.services.exit_money import OUTBOX_REASONS, ExitPlan, deposit_allocate, exit_money_move
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.money import Money, apply_rate
from pawpact.outbox.services import outbox_emit, shop_event_publish

logger = logging.getLogger(__name__)


EXIT_STATUS: dict[str, ContractStatus] = {
    TerminationKind.COMPLETION: ContractStatus.COMPLETED,
    TerminationKind.EARLY: ContractStatus.TERMINATED_EARLY,
    TerminationKind.PET_LOSS: ContractStatus.TERMINATED_PET_LOSS,
    TerminationKind.COOLING_OFF: ContractStatus.CANCELLED_COOLING_OFF,
    TerminationKind.DEFAULT: ContractStatus.DEFAULTED,
    TerminationKind.SHOP_CLOSURE: ContractStatus.TERMINATED_EARLY,
}


# Periods still to be collected: an exit cancels them (a default only those not yet due).
OPEN_PERIOD_STATUSES = (
    PeriodStatus.SCHEDULED,
    PeriodStatus.REMINDED,
    PeriodStatus.ATTEMPTED,
    PeriodStatus.FAILED,
    PeriodStatus.RETRYING,
    PeriodStatus.DEFERRED,
)
NOT_YET_DUE_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.DEFERRED)

QUOTE_LIFETIME = timedelta(hours=24)
EVIDENCE_NOTE_MIN_CHARS = 10
EVIDENCE_NOTE_MAX_CHARS = 2000
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf")


def penalty_rate_check(rate: object) -> Decimal:
    """The rate as a Decimal if it is between 0 and 10%; PenaltyRateTooHigh otherwise."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0 or rate > MAX_PENALTY_RATE:
        raise PenaltyRateTooHigh(
            _("The early termination penalty is at most 10%% of the remaining amount; %(rate)s is refused.")
            % {"rate": rate},
            fields={"penalty_rate": [_("Between 0 and 0.10.")]},
        )
    return rate


# --- Reads ------------------------------------------------------------------------------


def open_periods(*, contract: Contract):
    return DebitPeriod.objects.filter(contract=contract, status__in=OPEN_PERIOD_STATUSES)


def remaining_minor(*, contract: Contract) -> int:
    """What is still to be collected: the unpaid (open) periods' amounts."""
    return open_periods(contract=contract).aggregate(total=Sum("amount_minor"))["total"] or 0


def collected_refund_minor(*, contract: Contract) -> int:
    """What a cooling-off cancellation gives back: every collected period."""
    return (
        DebitAttempt.objects.filter(
            period__contract=contract, period__status=PeriodStatus.PAID, status=AttemptStatus.SUCCEEDED
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )


def deposit_refund_minor(contract: Contract) -> int:
    return contract.deposit_minor if contract.deposit_status == DepositStatus.HELD else 0


def is_within_cooling_off(*, contract: Contract, clock: Clock) -> bool:
    """Whether cancelling now is free: on or before the window's last day (shop's time zone)."""
    return contract.cooling_off_until is not None and clock.today() <= contract.cooling_off_until


def cooling_off_closes_at(contract: Contract) -> datetime:
    """The first instant after the window's last day, in the shop's time zone."""
    day_after = contract.cooling_off_until + timedelta(days=1)
    return datetime.combine(day_after, time(0, 0), tzinfo=timezone.get_default_timezone())


# --- The quote --------------------------------------------------------------------------


def termination_quote(*, contract: Contract, clock: Clock = default_clock) -> TerminationQuote:
    """What ending the contract costs now, as `termination_execute` will carry it out.

    Inside the cooling-off window: the free cancellation (kind cooling_off: no penalty,
    every collected period and the deposit refunded), valid until the window closes or
    24 hours, whichever comes first. After it: early termination, the penalty at the
    plan's rate on the remaining amount, valid 24 hours. Either is refused once a period
    has been paid since (the amounts changed).
    """
    with transaction.atomic():
        locked = contract_lock(contract=contract, target=ContractStatus.TERMINATED_EARLY)
        now = clock.now()
        remaining = remaining_minor(contract=locked)
        values = {"contract": locked, "remaining_minor": remaining, "created_at": now}
        values["deposit_refund_minor"] = deposit_refund_minor(locked)
        if is_within_cooling_off(contract=locked, clock=clock):
            return TerminationQuote.objects.create(
                **values,
                kind=TerminationKind.COOLING_OFF,
                penalty_rate=Decimal("0"),
                penalty_minor=0,
                refund_minor=collected_refund_minor(contract=locked),
                expires_at=min(now + QUOTE_LIFETIME, cooling_off_closes_at(locked)),
            )
        rate = penalty_rate_check(locked.plan_version.penalty_rate)
        return TerminationQuote.objects.create(
            **values,
            kind=TerminationKind.EARLY,
            penalty_rate=rate,
            penalty_minor=apply_rate(Money(remaining, locked.currency), rate).amount_minor,
            expires_at=now + QUOTE_LIFETIME,
        )


# --- The exits --------------------------------------------------------------------------


def termination_execute(
    *, quote: TerminationQuote, requested_by: User | None = None, clock: Clock = default_clock
) -> Termination:
    """End the contract as quoted: an early termination (penalty charged, the rest cancelled,
    the deposit refunded) or, for a quote made in the cooling-off window, the free
    cancellation. Executing the same quote again returns its termination unchanged.
    """
    return contract_terminate(
        contract=quote.contract, kind=quote.kind, quote=quote, requested_by=requested_by, clock=clock
    )


def contract_terminate_pet_loss(
    *,
    contract: Contract,
    evidence: UploadedFile | None = None,
    evidence_note: str = "",
    requested_by: User | None = None,
    clock: Clock = default_clock,
) -> Termination:
    """The pet died or was lost: end the contract without penalty, on evidence (a file or a note)."""
    evidence_note = pet_loss_evidence_check(evidence=evidence, evidence_note=evidence_note)
    return contract_terminate(
        contract=contract,
        kind=TerminationKind.PET_LOSS,
        evidence=evidence,
        evidence_note=evidence_note,
        requested_by=requested_by,
        clock=clock,
    )


def contract_cancel_cooling_off(
    *, contract: Contract, requested_by: User | None = None, clock: Clock = default_clock
) -> Termination:
    """Cancel within the cooling-off window (its last day included): everything collected is refunded."""
    return contract_terminate(
        contract=contract, kind=TerminationKind.COOLING_OFF, requested_by=requested_by, clock=clock
    )


def contract_complete(*, contract: Contract, clock: Clock = default_clock) -> Termination:
    """Close a contract whose every period is paid; its deposit is refunded."""
    return contract_terminate(contract=contract, kind=TerminationKind.COMPLETION, clock=clock)


def contract_default(
    *, contract: Contract, requested_by: User | None = None, clock: Clock = default_clock
) -> Termination:
    """Dunning gave up: periods not yet due are cancelled; overdue ones stay owed (written off later)."""
    return contract_terminate(contract=contract, kind=TerminationKind.DEFAULT, requested_by=requested_by, clock=clock)


def contract_close_for_shop(*, contract: Contract, clock: Clock = default_clock) -> Termination:
    """The platform closed the shop: stop every debit, no penalty, deposit refunded."""
    return contract_terminate(contract=contract, kind=TerminationKind.SHOP_CLOSURE, clock=clock)


def pet_loss_evidence_check(*, evidence: UploadedFile | None, evidence_note: str) -> str:
    """The note, stripped, if the evidence is enough (a valid file, or a note of ≥ 10 characters)."""
    note = evidence_note.strip() if isinstance(evidence_note, str) else ""
    errors: dict[str, list[str]] = {}
    if len(note) > EVIDENCE_NOTE_MAX_CHARS:
        errors["evidence_note"] = [_("Use at most %(count)d characters.") % {"count": EVIDENCE_NOTE_MAX_CHARS}]
    if evidence is not None:
        extension = os.path.splitext(evidence.name or "")[1].lower()
        if extension not in EVIDENCE_EXTENSIONS:
            errors["evidence"] = [
                _("Upload a photo or a PDF (%(types)s).") % {"types": ", ".join(EVIDENCE_EXTENSIONS)}
            ]
        elif not evidence.size:
            errors["evidence"] = [_("The file is empty.")]
        elif evidence.size > EVIDENCE_MAX_BYTES:
            errors["evidence"] = [_("The file is larger than 10 MB.")]
    elif len(note) < EVIDENCE_NOTE_MIN_CHARS:
        errors["evidence"] = [
            _("Upload evidence (e.g. a vet's certificate) or describe what happened in at least %(count)d characters.")
            % {"count": EVIDENCE_NOTE_MIN_CHARS}
        ]
    if errors:
        raise EvidenceRequired(_("Pet death or loss needs evidence."), fields=errors)
    return note


def contract_terminate(
    *,
    contract: Contract,
    kind: TerminationKind,
    quote: TerminationQuote | None = None,
    evidence: UploadedFile | None = None,
    evidence_note: str = "",
    requested_by: User | None = None,
    clock: Clock = default_clock,
) -> Termination:
    """The one service that ends an active contract, for every kind of exit.

    Locks the contract, refuses an illegal transition (IllegalTransition: nothing written),
    then in one transaction: the penalty charged (early), collected periods refunded
    (cooling-off), open periods cancelled with their receivable, the deposit refunded,
    the Termination row, the journals and the contract.terminated outbox event.
    """
    kind = TerminationKind(kind)
    target = EXIT_STATUS[kind]
    termination: Termination | None = None
    replayed = False
    try:
        with transaction.atomic():
            # Locked before the transition check: a replayed quote answers with its exit.
            locked = Contract.objects.select_for_update(of=("self",)).select_related(
                "customer", "plan_version__plan", "payment_method"
            ).get(pk=contract.pk)
            if quote is not None:
                existing = Termination.objects.filter(contract=locked, quote_id=quote.pk).first()
                if existing is not None:
                    termination, replayed = existing, True
                    return existing
            contract_transition_check(current=locked.status, target=target)
            now = clock.now()
            _exit_allowed(kind=kind, contract=locked, quote=quote, clock=clock)
            no_debit_in_flight_check(contract=locked)
            plan = _exit_plan(kind=kind, contract=locked, quote=quote, clock=clock)
            exit_money_move(kind=kind, contract=locked, plan=plan)
            _contract_close(contract=locked, target=target, plan=plan, now=now)
            termination = _termination_record(
                contract=locked, kind=kind, quote=quote, plan=plan, evidence=evidence,
                evidence_note=evidence_note, requested_by=requested_by, now=now,
            )  # fmt: skip
            payload = terminated_payload(contract=locked, kind=kind, plan=plan, at=now)
            outbox_emit(
                kind=EventKind.CONTRACT_TERMINATED, aggregate_uuid=locked.uuid, payload=payload,
                livemode=locked.livemode,
            )  # fmt: skip
    except BaseException:
        if termination is not None and not replayed and termination.evidence:
            # The row was rolled back: do not keep the file it stored.
            termination.evidence.storage.delete(termination.evidence.name)
        raise
    if not replayed:
        shop_event_publish(
            kind=EventKind.CONTRACT_TERMINATED,
            payload=terminated_payload(contract=locked, kind=kind, plan=plan, at=now),
            clock=clock,
        )
    return termination


def _contract_close(*, contract: Contract, target: ContractStatus, plan: ExitPlan, now) -> None:
    """The stopped periods cancelled, refunded ones marked, the deposit's share recorded on the
    periods it paid; the contract in its end state with its deposit's fate."""
    DebitPeriod.objects.filter(pk__in=[period.pk for period in plan.cancel]).update(
        status=PeriodStatus.CANCELLED, next_retry_on=None
    )
    DebitPeriod.objects.filter(pk__in=[period.pk for period, _attempt in plan.refunds]).update(
        status=PeriodStatus.REFUNDED
    )
    for period, share in plan.deposit_applied:
        period.deposit_applied_minor += share
        update_fields = ["deposit_applied_minor"]
        if period.deposit_applied_minor == period.amount_minor:
            period.status, period.next_retry_on = PeriodStatus.PAID_BY_DEPOSIT, None
            update_fields += ["status", "next_retry_on"]
        period.save(update_fields=update_fields)
    contract.status = target
    contract.ended_at = now
    update_fields = ["status", "ended_at"]
    if plan.deposit_applied_minor or plan.deposit_refund_minor:
        contract.deposit_status = DepositStatus.APPLIED if plan.deposit_applied_minor else DepositStatus.REFUNDED
        update_fields.append("deposit_status")
    contract.save(update_fields=update_fields)


def _termination_record(
    *, contract: Contract, kind: str, quote: TerminationQuote | None, plan: ExitPlan, evidence: UploadedFile | None,
    evidence_note: str, requested_by: User | None, now,
) -> Termination:  # fmt: skip
    if evidence is not None:
        # Stored under the shop's schema as <contract uuid>.<ext>: no customer file names on disk.
        evidence.name = f"{contract.uuid}{os.path.splitext(evidence.name)[1].lower()}"
    return Termination.objects.create(
        contract=contract,
        kind=kind,
        quote=quote,
        evidence=evidence or "",
        evidence_note=evidence_note,
        cancelled_minor=plan.cancelled_minor,
        remaining_minor=plan.remaining_minor,
        penalty_minor=plan.penalty_minor,
        refund_minor=plan.refund_minor,
        deposit_applied_minor=plan.deposit_applied_minor,
        deposit_refund_minor=plan.deposit_refund_minor,
        requested_by=requested_by,
        executed_at=now,
    )


def _exit_allowed(*, kind: str, contract: Contract, quote: TerminationQuote | None, clock: Clock) -> None:
    if kind == TerminationKind.EARLY:
        _quote_check(kind=kind, contract=contract, quote=quote, clock=clock)
    elif kind == TerminationKind.COOLING_OFF:
        if not is_within_cooling_off(contract=contract, clock=clock):
            until = contract.cooling_off_until.isoformat() if contract.cooling_off_until else "—"
            raise CoolingOffOver(
                _("The cooling-off period ended on %(date)s: cancelling now is an early termination "
                  "(ask for a termination quote).")
                % {"date": until}
            )
        if quote is not None:
            _quote_check(kind=kind, contract=contract, quote=quote, clock=clock)
    elif kind == TerminationKind.COMPLETION:
        if open_periods(contract=contract).exists():
            raise IllegalTransition(_("The contract still has periods to collect: it cannot be completed yet."))


def _quote_check(*, kind: str, contract: Contract, quote: TerminationQuote | None, clock: Clock) -> None:
    if quote is None or quote.contract_id != contract.pk or quote.kind != kind:
        raise ValidationFailed(
            _("Early termination needs a termination quote for this contract."),
            fields={"quote": [_("Ask for a termination quote first.")]},
        )
    penalty_rate_check(quote.penalty_rate)
    if clock.now() >= quote.expires_at:
        raise QuoteExpired(
            _("This quote expired at %(when)s; ask for a new one.") % {"when": quote.expires_at.isoformat()}
        )
    quoted = (quote.remaining_minor, quote.deposit_refund_minor, quote.refund_minor)
    refund = collected_refund_minor(contract=contract) if kind == TerminationKind.COOLING_OFF else 0
    if quoted != (remaining_minor(contract=contract), deposit_refund_minor(contract), refund):
        raise QuoteStale(_("The contract changed since this quote was made (a period was paid); ask for a new one."))


def no_debit_in_flight_check(*, contract: Contract) -> None:
    if DebitAttempt.objects.filter(period__contract=contract, status=AttemptStatus.STARTED).exists():
        raise DebitInFlight(_("A debit of this contract is being processed; try again in a few minutes."))


def _exit_plan(*, kind: str, contract: Contract, quote: TerminationQuote | None, clock: Clock) -> ExitPlan:
    periods = list(DebitPeriod.objects.select_for_update().filter(contract=contract).order_by("number"))
    if kind == TerminationKind.DEFAULT:
        today = clock.today()
        cancel = [p for p in periods if p.status in NOT_YET_DUE_STATUSES and p.due_date > today]
    else:
        cancel = [p for p in periods if p.status in OPEN_PERIOD_STATUSES]
    owed = [p for p in periods if p.status in OPEN_PERIOD_STATUSES and p not in cancel]
    paid = [p for p in periods if p.status == PeriodStatus.PAID]
    refunds: list[tuple[DebitPeriod, DebitAttempt]] = []
    if kind == TerminationKind.COOLING_OFF:
        attempts = {
            attempt.period_id: attempt
            for attempt in DebitAttempt.objects.filter(period__in=paid, status=AttemptStatus.SUCCEEDED)
        }
        refunds = [(period, attempts[period.pk]) for period in paid]
    deposit = deposit_refund_minor(contract)
    # The deposit covers default: it pays what is owed first; only the rest goes back.
    applied = deposit_allocate(deposit_minor=deposit, owed=owed) if kind == TerminationKind.DEFAULT else []
    applied_minor = sum(share for _period, share in applied)
    return ExitPlan(
        cancel=cancel,
        cancelled_minor=sum(p.amount_minor for p in cancel),
        remaining_minor=sum(p.amount_minor - p.deposit_applied_minor for p in owed) - applied_minor,
        penalty_minor=quote.penalty_minor if kind == TerminationKind.EARLY and quote is not None else 0,
        refunds=refunds,
        refund_minor=sum(attempt.amount_minor for _period, attempt in refunds),
        deposit_applied=applied,
        deposit_applied_minor=applied_minor,
        deposit_refund_minor=deposit - applied_minor,
        paid_periods=len(paid),
    )


def terminated_payload(*, contract: Contract, kind: str, plan: ExitPlan, at) -> dict:
    """The contract.terminated event. cancelled_minor is what the exit stopped collecting,
    remaining_minor what the customer still owes after it (a default's overdue periods, less
    the deposit), refund_minor what collected periods gave back (cooling-off); the deposit,
    which the platform never sees, is not in it."""
    return {
        "contract_uuid": str(contract.uuid),
        "reason": OUTBOX_REASONS[kind],
        "paid_periods": plan.paid_periods,
        "periods": contract.periods,
        "cancelled_minor": plan.cancelled_minor,
        "remaining_minor": plan.remaining_minor,
        "penalty_minor": plan.penalty_minor,
        "refund_minor": plan.refund_minor,
        "currency": contract.currency,
        "at": at.isoformat(),
    }
