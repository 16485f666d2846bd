"""What an exit moves, and through which rail: the receivable cancelled, the penalty charged
and collected, collected periods refunded, a held deposit applied to what a defaulting
customer owes, and the rest of it given back. Each movement has one deterministic
idempotency key per contract, so a retried exit repeats the same keys and a rail answers
them with its first outcome instead of moving money again.

The deposit on default (SPEC §1): it exists to cover default, so it pays the periods still
owed, oldest first (journal deposit.applied:{uuid}: DEPOSITS_HELD +applied, RECEIVABLE −applied,
and the share of deferred revenue those payments earn: DEFERRED_REVENUE +applied,
PLAN_REVENUE −applied, as a collected debit would), and only the remainder is refunded.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from pawpact.billing.enums import (
    JournalKind,
    LedgerAccount,
    TerminationKind,
)
from pawpact.billing.errors import InvalidPaymentMethod, PaymentFailed
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import (
    Contract,
    DebitAttempt,
    DebitPeriod,
    PaymentMethod,
    RailRefund,
)
from pawpact.core.money import Money
from pawpact.payments.errors import PaymentPending
from pawpact.payments.outcomes import decline_code, decline_reason
from pawpact.payments.registry import rail_for


def penalty_charge_key(contract: Contract, payment_method: PaymentMethod) -> str:
    """Per payment method, as the deposit's: a declined penalty can be paid with another method."""
    return f"penalty:{contract.uuid}:{payment_method.pk}"


def deposit_refund_key(contract: Contract) -> str:
    """The rail's idempotency key for refunding the deposit (the journal's key is the same text)."""
    return f"deposit.refunded:{contract.uuid}"


def period_refund_key(contract: Contract, period_number: int) -> str:
    return f"refund:{contract.uuid}:{period_number}"


def rail_refund(
    *, payment_method: PaymentMethod, amount: Money, key: str, charge_reference: str, metadata: dict[str, str]
) -> str:
    """Give `amount` of an earlier charge back through its rail, once per key; the refund's
    reference. Recorded as a RailRefund (once per key), which the daily statement is matched against."""
    reference = rail_for(payment_method.rail, livemode=payment_method.livemode).refund(
        token=payment_method.token, charge_reference=charge_reference, amount=amount, idempotency_key=key,
        metadata=metadata,
    )  # fmt: skip
    rail_refund_record(payment_method=payment_method, amount=amount, key=key, charge_reference=charge_reference,
                       reference=reference, purpose=metadata.get("purpose", ""), contract_id=int(metadata["contract_id"]))  # fmt: skip
    return reference


def rail_refund_record(*, payment_method: PaymentMethod, amount: Money, key: str, charge_reference: str, reference: str,
                       purpose: str, contract_id: int | None = None) -> RailRefund:  # fmt: skip
    """The provider's confirmed refund, once per key: what reconciliation matches the statement's
    refund lines against (contract refunds here, storefront order refunds from their service)."""
    refund, _created = RailRefund.objects.get_or_create(
        idempotency_key=key,
        defaults={"rail": payment_method.rail, "livemode": payment_method.livemode, "amount_minor": amount.amount_minor,
                  "currency": amount.currency, "charge_reference": charge_reference, "reference": reference[:255],
                  "purpose": purpose[:24], "contract_id": contract_id},
    )  # fmt: skip
    return refund


def _rail_charge_penalty(*, contract: Contract, amount: Money) -> str:
    payment_method = contract.payment_method
    if payment_method is None:
        raise InvalidPaymentMethod(_("The contract has no payment method to charge the penalty to."))
    result = rail_for(payment_method.rail, livemode=payment_method.livemode).charge(
        token=payment_method.token,
        customer_ref=payment_method.rail_customer_ref,
        amount=amount,
        idempotency_key=penalty_charge_key(contract, payment_method),
        metadata={"contract_uuid": str(contract.uuid), "purpose": "penalty"},
    )
    if result.is_unknown:
        raise PaymentPending(
            _("The payment provider has not answered yet, so the penalty is pending; nothing is charged twice. "
              "The contract stays active until the outcome is known: try again later."),
            fields={"payment_method": [_("The outcome of this payment is not known yet.")]},
        )
    if not result.succeeded:
        reason = decline_reason(result.outcome)
        raise PaymentFailed(
            _("The early termination penalty of %(amount)s could not be collected (%(reason)s). "
              "The contract stays active.")
            % {"amount": amount.format(), "reason": reason},
            decline_code=decline_code(result.outcome),
            fields={"payment_method": [reason]},
        )
    return result.reference


def exit_money_move(*, kind: str, contract: Contract, plan: ExitPlan) -> None:
    """Rail calls and journals of one exit, in the caller's transaction."""
    currency = contract.currency
    uuid = contract.uuid
    if plan.penalty_minor:
        _penalty_collect(contract=contract, plan=plan)
    if plan.cancelled_minor:
        journal_post(
            key=f"receivable.cancelled:{uuid}",
            kind=JournalKind.RECEIVABLE_CANCELLED,
            lines=[
                Line(LedgerAccount.DEFERRED_REVENUE, plan.cancelled_minor),
                Line(LedgerAccount.RECEIVABLE, -plan.cancelled_minor),
            ],
            currency=currency,
            contract=contract,
            memo=f"{len(plan.cancel)} period(s) cancelled ({OUTBOX_REASONS[kind]})",
        )
    for period, attempt in plan.refunds:
        rail_refund(
            payment_method=contract.payment_method,
            amount=Money(attempt.amount_minor, currency),
            key=period_refund_key(contract, period.number),
            charge_reference=attempt.rail_reference,
            metadata={"contract_uuid": str(uuid), "contract_id": str(contract.pk), "purpose": "period_refund",
                      "period_number": str(period.number), "charged_minor": str(attempt.amount_minor)},
        )
    if plan.refund_minor:
        journal_post(
            key=f"refund:{uuid}",
            kind=JournalKind.REFUND,
            lines=[Line(LedgerAccount.PLAN_REVENUE, plan.refund_minor), Line(LedgerAccount.CASH, -plan.refund_minor)],
            currency=currency,
            contract=contract,
            memo=f"{len(plan.refunds)} collected period(s) refunded ({OUTBOX_REASONS[kind]})",
        )
    if plan.deposit_applied_minor:
        deposit_apply(contract=contract, plan=plan)
    if plan.deposit_refund_minor:
        deposit_refund(contract=contract, amount_minor=plan.deposit_refund_minor)


def _penalty_collect(*, contract: Contract, plan: ExitPlan) -> None:
    penalty = plan.penalty_minor
    reference = _rail_charge_penalty(contract=contract, amount=Money(penalty, contract.currency))
    journal_post(
        key=f"penalty:{contract.uuid}",
        kind=JournalKind.PENALTY_CHARGED,
        lines=[Line(LedgerAccount.RECEIVABLE, penalty), Line(LedgerAccount.PENALTY_REVENUE, -penalty)],
        currency=contract.currency,
        contract=contract,
        memo=f"early termination penalty on {plan.cancelled_minor} remaining",
    )
    journal_post(
        key=f"penalty.collected:{contract.uuid}",
        kind=JournalKind.PENALTY_COLLECTED,
        lines=[Line(LedgerAccount.CASH, penalty), Line(LedgerAccount.RECEIVABLE, -penalty)],
        currency=contract.currency,
        contract=contract,
        memo=f"penalty collected, rail reference {reference}",
    )


def deposit_applied_key(contract: Contract) -> str:
    return f"deposit.applied:{contract.uuid}"


def deposit_allocate(*, deposit_minor: int, owed: list[DebitPeriod]) -> list[tuple[DebitPeriod, int]]:
    """How much of the deposit pays each owed period, oldest first; periods it does not reach are left out."""
    allocation = []
    left = deposit_minor
    for period in sorted(owed, key=lambda p: (p.due_date, p.number)):
        share = min(left, period.amount_minor - period.deposit_applied_minor)
        if share <= 0:
            break
        allocation.append((period, share))
        left -= share
    return allocation


def deposit_apply(*, contract: Contract, plan: ExitPlan) -> None:
    """The held deposit pays what the defaulting customer owes: no rail call, the shop holds the money."""
    amount = plan.deposit_applied_minor
    numbers = ", ".join(str(period.number) for period, _share in plan.deposit_applied)
    journal_post(
        key=deposit_applied_key(contract),
        kind=JournalKind.DEPOSIT_APPLIED,
        lines=[
            Line(LedgerAccount.DEPOSITS_HELD, amount),
            Line(LedgerAccount.RECEIVABLE, -amount),
            Line(LedgerAccount.DEFERRED_REVENUE, amount),
            Line(LedgerAccount.PLAN_REVENUE, -amount),
        ],
        currency=contract.currency,
        contract=contract,
        memo=f"deposit applied to period(s) {numbers} on default",
    )


def deposit_refund(*, contract: Contract, amount_minor: int | None = None) -> None:
    """Give a held deposit (or what is left of it) back through the rail and journal it;
    the caller marks the deposit."""
    amount = Money(contract.deposit_minor if amount_minor is None else amount_minor, contract.currency)
    reference = rail_refund(
        payment_method=contract.payment_method,
        amount=amount,
        key=deposit_refund_key(contract),
        charge_reference=contract.deposit_reference,
        metadata={"contract_uuid": str(contract.uuid), "contract_id": str(contract.pk), "purpose": "deposit_refund",
                  "charged_minor": str(contract.deposit_minor)},
    )
    journal_post(
        key=f"deposit.refunded:{contract.uuid}",
        kind=JournalKind.DEPOSIT_REFUNDED,
        lines=[Line(LedgerAccount.DEPOSITS_HELD, amount.amount_minor), Line(LedgerAccount.CASH, -amount.amount_minor)],
        currency=contract.currency,
        contract=contract,
        memo=f"deposit refunded, rail reference {reference}",
    )


# The `reason` of the contract.terminated outbox event.
OUTBOX_REASONS: dict[str, str] = {
    TerminationKind.EARLY: "early_termination",
    TerminationKind.PET_LOSS: "pet_loss",
    TerminationKind.COOLING_OFF: "cooling_off",
    TerminationKind.DEFAULT: "default",
    TerminationKind.COMPLETION: "completion",
    TerminationKind.SHOP_CLOSURE: "shop_closure",
}


@dataclass(frozen=True)
class ExitPlan:
    """What one exit moves, decided under the contract's lock."""

    cancel: list[DebitPeriod]  # periods it stops
    cancelled_minor: int
    remaining_minor: int  # still owed after the exit: a default's overdue periods, less the deposit
    penalty_minor: int
    refunds: list[tuple[DebitPeriod, DebitAttempt]]  # collected periods it gives back
    refund_minor: int
    deposit_applied: list[tuple[DebitPeriod, int]]  # owed periods the deposit pays, and how much of each
    deposit_applied_minor: int
    deposit_refund_minor: int
    paid_periods: int
