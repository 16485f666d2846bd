"""The last step of signing: activation. A held deposit if the credit check asked for one,
the debit calendar, and period 1 collected, all under the contract's row lock; a first
debit that fails leaves the contract signed, with nothing else kept.

Journals: contract.activated:{uuid} (the receivable for the whole term against deferred
revenue) and deposit.held:{uuid} (cash against deposits held)."""
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import (
    AttemptStatus,
    ContractStatus,
    DepositStatus,
    JournalKind,
    LedgerAccount,
)
from pawpact.billing.errors import (
    CalendarExists,
    DebitNotDue,
    InvalidPaymentMethod,
    PaymentFailed,
)
from pawpact.payments.errors import PaymentPending
from pawpact.payments.outcomes import decline_code, decline_reason
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, PaymentMethod
from pawpact.billing.services.calendar import calendar_generate
from pawpact.billing.services.contract_state import contract_transition_check
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.signing import payment_method_check
from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import EventKind
from pawpact.core.money import Money
from pawpact.customers.models import Pet
from pawpact.outbox.services import outbox_emit, shop_event_publish
from pawpact.payments.base import ChargeResult
from pawpact.payments.policies import policy_for
from pawpact.payments.registry import rail_for


def contract_activated_key(contract: Contract) -> str:
    return f"contract.activated:{contract.uuid}"


def deposit_held_key(contract: Contract) -> str:
    return f"deposit.held:{contract.uuid}"


def deposit_charge_key(contract: Contract, payment_method: PaymentMethod) -> str:
    """The rail's idempotency key for the deposit, per payment method.

    Rails answer a repeated key with their first outcome, and refuse it for other
    parameters: a key without the method would make a declined deposit impossible
    to retry with another card. With the same method, a retry asks, never charges twice.
    """
    return f"deposit:{contract.uuid}:{payment_method.pk}"


class _FirstDebitNotPaid(Exception):
    """Rolls back the activation when period 1 is not paid."""


def contract_activate(*, contract: Contract, clock: Clock = default_clock, queued: bool = False) -> Contract:
    """Start a signed contract: deposit (if due), debit calendar, period 1 collected now.

    Only a paid period 1 activates it. If a charge fails the contract stays SIGNED
    and PaymentFailed says why (PaymentPending while the provider has not answered); calling this again later (e.g. after attaching
    another payment method) resumes where it stopped, and rail idempotency keys
    make sure nothing is charged twice. A contract that is not SIGNED (already active,
    ended, a draft) is refused with IllegalTransition, nothing written: a client that
    lost the answer repeats its Idempotency-Key and gets the first answer instead.
    A rail that debits only after a notice (WeChat) is started by the activation job alone
    (`queued`, pawpact.billing.services.queued_activation), which waits for each notice.
    """
    contract = _activation_start(contract=contract)
    if not queued and policy_for(contract.payment_method.rail).pre_debit_notice_days:
        raise DebitNotDue(_("WeChat Pay debits only the day after its notice: this contract starts by itself "
                            "once the notice period is over (07:00–22:00)."))
    if contract.deposit_status == DepositStatus.DUE:
        _deposit_collect(contract=contract, clock=clock)
    first_period = first_period_ensure(contract=contract, clock=clock)
    activated = _first_debit_and_activate(contract=contract, period=first_period, clock=clock)
    if activated is not None:
        return activated
    # Not paid: the activation transaction (journal, event, attempt) was rolled back;
    # the deposit and the calendar stay. Record the attempt for real, with the same
    # attempt number and idempotency key, so a remote rail answers with the outcome it
    # just gave instead of charging again (the sandbox, whose charges share our
    # database and were rolled back too, decides again from the same token).
    attempt = period_collect(period=first_period, clock=clock)
    if attempt.status == AttemptStatus.SUCCEEDED:
        # An unknown outcome resolved in between: the period is paid now, so activate.
        return _first_debit_and_activate(contract=contract, period=first_period, clock=clock) or contract
    raise _first_debit_failed(contract=contract, attempt=attempt)


def _activation_start(*, contract: Contract) -> Contract:
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("customer", "plan_version", "payment_method")
            .get(pk=contract.pk)
        )
        contract_transition_check(current=locked.status, target=ContractStatus.ACTIVE)
        if locked.payment_method is None:
            raise InvalidPaymentMethod.on_field(_("Attach a payment method before starting the contract."))
        payment_method_check(contract=locked, payment_method=locked.payment_method)
    return locked


def _deposit_collect(*, contract: Contract, clock: Clock) -> None:
    """Charge the deposit, then record it held with its journal, in that order.

    The rail is called outside any transaction (it may be a remote service); if the
    recording step is lost, the next call repeats the key and the rail answers with
    the charge it already made.
    """
    payment_method = contract.payment_method
    deposit = Money(contract.deposit_minor, contract.currency)
    result = _rail_charge(
        payment_method=payment_method,
        amount=deposit,
        key=deposit_charge_key(contract, payment_method),
        metadata={"contract_uuid": str(contract.uuid), "purpose": "deposit"},
    )
    if result.is_unknown:
        raise _pending()
    if not result.succeeded:
        reason = decline_reason(result.outcome)
        raise PaymentFailed(
            _(
                "The deposit of %(amount)s could not be collected (%(reason)s). "
                "The contract stays signed: try again or attach another payment method."
            )
            % {"amount": deposit.format(), "reason": reason},
            decline_code=decline_code(result.outcome),
            fields={"payment_method": [reason]},
        )
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.deposit_status != DepositStatus.DUE:
            return  # a concurrent activation recorded it first
        locked.deposit_status = DepositStatus.HELD
        locked.deposit_reference = result.reference
        locked.save(update_fields=["deposit_status", "deposit_reference"])
        journal_post(
            key=deposit_held_key(locked),
            kind=JournalKind.DEPOSIT_HELD,
            lines=[
                Line(LedgerAccount.CASH, locked.deposit_minor),
                Line(LedgerAccount.DEPOSITS_HELD, -locked.deposit_minor),
            ],
            currency=locked.currency,
            contract=locked,
            memo=f"deposit held, rail reference {result.reference}",
        )
    contract.deposit_status = DepositStatus.HELD
    contract.deposit_reference = result.reference


def _rail_charge(*, payment_method: PaymentMethod, amount: Money, key: str, metadata: dict) -> ChargeResult:
    return rail_for(payment_method.rail, livemode=payment_method.livemode).charge(
        token=payment_method.token,
        customer_ref=payment_method.rail_customer_ref,
        amount=amount,
        idempotency_key=key,
        metadata=metadata,
    )


def first_period_ensure(*, contract: Contract, clock: Clock) -> DebitPeriod:
    """Period 1 of the contract's calendar, generating the calendar (period 1 due today) once."""
    if not DebitPeriod.objects.filter(contract=contract).exists():
        try:
            calendar_generate(contract=contract, first_due_date=clock.today())
        except CalendarExists:
            pass  # a concurrent activation generated it
    return DebitPeriod.objects.get(contract=contract, number=1)


def _first_debit_and_activate(*, contract: Contract, period: DebitPeriod, clock: Clock) -> Contract | None:
    """Collect period 1 and, in the same transaction, activate: the contract, None if not paid.

    The activation journal is posted before period 1's "period paid" journal, so the
    receivable exists before the first payment settles part of it. Deliberately run
    in one transaction with period_collect (whose STARTED marker is then not committed
    before the rail call): the attempt's key is fixed by contract, period and attempt
    number, so a rolled-back attempt is asked again under the same key.
    """
    try:
        with transaction.atomic():
            locked = (
                Contract.objects.select_for_update(of=("self",))
                .select_related("customer", "pet", "plan_version__plan")
                .get(pk=contract.pk)
            )
            if locked.status == ContractStatus.ACTIVE:
                return locked
            contract_transition_check(current=locked.status, target=ContractStatus.ACTIVE)
            journal_post(
                key=contract_activated_key(locked),
                kind=JournalKind.CONTRACT_ACTIVATED,
                lines=[
                    Line(LedgerAccount.RECEIVABLE, locked.total_minor),
                    Line(LedgerAccount.DEFERRED_REVENUE, -locked.total_minor),
                ],
                currency=locked.currency,
                contract=locked,
                memo=f"{locked.periods} × {locked.monthly_amount_minor}",
            )
            outbox_emit(
                kind=EventKind.CONTRACT_SIGNED, aggregate_uuid=locked.uuid, payload=contract_signed_payload(locked),
                livemode=locked.livemode,
            )
            attempt = period_collect(period=period, clock=clock)
            if attempt.status != AttemptStatus.SUCCEEDED:
                raise _FirstDebitNotPaid
            now = clock.now()
            locked.status = ContractStatus.ACTIVE
            locked.activated_at = now
            locked.cooling_off_until = clock.today() + timedelta(days=locked.plan_version.cooling_off_days)
            locked.save(update_fields=["status", "activated_at", "cooling_off_until"])
            outbox_emit(kind=EventKind.CONTRACT_ACTIVATED, aggregate_uuid=locked.uuid,
                        payload=contract_activated_payload(locked), livemode=locked.livemode)  # fmt: skip
            if locked.pet.owner_id is None:
                # The adoption is complete: the pet is now the customer's.
                Pet.objects.filter(pk=locked.pet_id, owner__isnull=True).update(owner=locked.customer)
            # In-shop reactions to a started plan (loyalty's referral rewards), each in its own savepoint.
            shop_event_publish(kind=EventKind.CONTRACT_SIGNED, payload=contract_signed_payload(locked), clock=clock)
            return locked
    except _FirstDebitNotPaid:
        return None


def contract_signed_payload(contract: Contract) -> dict:
    return {
        "contract_uuid": str(contract.uuid),
        "customer_uuid": str(contract.customer.uuid),
        "plan_code": contract.plan_version.plan.code,
        "plan_version": contract.plan_version.version,
        "monthly_amount_minor": contract.monthly_amount_minor,
        "periods": contract.periods,
        "total_minor": contract.total_minor,
        "currency": contract.currency,
        "signed_at": contract.signed_at.isoformat(),
    }


def contract_activated_payload(contract: Contract) -> dict:
    return {
        "contract_uuid": str(contract.uuid),
        "customer_uuid": str(contract.customer.uuid),
        "pet_uuid": str(contract.pet.uuid),
        "plan_code": contract.plan_version.plan.code,
        "activated_at": contract.activated_at.isoformat(),
        "cooling_off_until": contract.cooling_off_until.isoformat(),
    }


def _first_debit_failed(*, contract: Contract, attempt: DebitAttempt) -> PaymentFailed | PaymentPending:
    if attempt.status == AttemptStatus.STARTED:
        return _pending()
    amount = Money(attempt.amount_minor, contract.currency).format()
    reason = decline_reason(attempt.outcome)
    return PaymentFailed(
        _(
            "The first monthly debit of %(amount)s failed (%(reason)s). The contract stays signed "
            "and is not active: try again or attach another payment method."
        )
        % {"amount": amount, "reason": reason},
        decline_code=decline_code(attempt.outcome),
        fields={"payment_method": [reason]},
    )


def _pending() -> PaymentPending:
    return PaymentPending(
        _(
            "The payment provider has not answered yet, so the payment is pending; nothing is charged twice. "
            "The contract stays signed until the outcome is known: try again later."
        ),
        fields={"payment_method": [_("The outcome of this payment is not known yet.")]},
    )
