"""The adoption signing flow, one service per step:

application_create → application_credit_check (or credit_record_staff_score)
→ agreement_render (shown) → contract_sign → contract_attach_payment_method
→ contract_activate (deposit if due, debit calendar, period 1 collected).

Each step that moves the contract locks its row (select_for_update) and checks
the move against CONTRACT_TRANSITIONS, so a step run twice or out of order is
refused with IllegalTransition instead of writing anything.
"""
import hashlib
from datetime import date, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import OPEN_CONTRACT_STATUSES, AttemptStatus, ContractStatus, DepositStatus, LedgerAccount
from pawpact.billing.errors import (
    AlreadySigned,
    AlreadyUnderContract,
    CustomerTooYoung,
    IllegalTransition,
    InvalidPaymentMethod,
    PaymentFailed,
    SigningBlocked,
    UnknownPlanVersion,
)
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, PaymentMethod, PlanVersion
from pawpact.billing.services.agreement import agreement_render
from pawpact.billing.services.calendar import calendar_generate
from pawpact.billing.services.credit import CreditProvider, credit_decision_record, sandbox_provider
from pawpact.billing.services.debit_errors import CalendarExists
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import PermissionDenied, ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.money import Money
from pawpact.customers.models import Customer, Pet
from pawpact.outbox.services import outbox_emit
from pawpact.payments.base import ChargeResult
from pawpact.payments.policies import amount_allowed, policy_for
from pawpact.payments.registry import rail_for
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from pawpact.tenants.ports import platform_side

ADULT_AGE = 18

# The contract's life (DESIGN "State machines"); renewals are new contracts.
CONTRACT_TRANSITIONS: dict[str, frozenset[str]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.SIGNED}),
    ContractStatus.SIGNED: frozenset({ContractStatus.ACTIVE}),
    ContractStatus.ACTIVE: frozenset(
        {
            ContractStatus.COMPLETED,
            ContractStatus.TERMINATED_EARLY,
            ContractStatus.TERMINATED_PET_LOSS,
            ContractStatus.CANCELLED_COOLING_OFF,
            ContractStatus.DEFAULTED,
        }
    ),
}

CONTRACT_ACTIVATED_KIND = "contract.activated"
DEPOSIT_HELD_KIND = "deposit.held"


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


def contract_lock(*, contract: Contract, target: ContractStatus) -> Contract:
    """The contract's row, locked, if it may move to `target`; IllegalTransition otherwise.

    Call inside a transaction.
    """
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("customer", "pet", "plan_version__plan", "payment_method")
        .get(pk=contract.pk)
    )
    transition_check(current=locked.status, target=target)
    return locked


def transition_check(*, current: str, target: ContractStatus) -> None:
    if target not in CONTRACT_TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            _("A %(current)s contract cannot become %(target)s.")
            % {"current": ContractStatus(current).label, "target": ContractStatus(target).label}
        )


# --- 1. Application -----------------------------------------------------------------


def application_create(
    *,
    customer: Customer,
    pet: Pet,
    plan_version_id: int,
    created_by: User | None = None,
    clock: Clock = default_clock,
) -> Contract:
    """A draft contract for `pet` on the given plan version, amounts copied from the version."""
    shop_check_may_sign()
    if created_by is not None and not created_by.is_staff and customer.user_id != created_by.pk:
        raise PermissionDenied(_("You can only apply for yourself."))
    if not is_adult(birth_date=customer.birth_date, on=clock.today()):
        raise CustomerTooYoung(
            _("The adopter must be at least 18 years old to sign a plan."),
            fields={"customer": [_("Under 18 on %(date)s.") % {"date": clock.today().isoformat()}]},
        )
    version = _plan_version_on_sale(plan_version_id)
    if pet.owner_id is not None and pet.owner_id != customer.pk:
        raise ValidationFailed(
            _("This pet belongs to another customer."), fields={"pet": [_("Choose one of the customer's pets.")]}
        )
    if Contract.objects.filter(pet=pet, status__in=OPEN_CONTRACT_STATUSES).exists():
        raise _pet_under_contract()
    try:
        with transaction.atomic():
            return Contract.objects.create(
                customer=customer,
                pet=pet,
                plan_version=version,
                status=ContractStatus.DRAFT,
                currency=version.currency,
                monthly_amount_minor=version.monthly_price_minor,
                periods=version.periods,
                total_minor=version.total_minor,
                created_by=created_by,
                created_at=clock.now(),
            )
    except IntegrityError as error:
        # Two applications raced for one pet: the partial unique index let one through.
        raise _pet_under_contract() from error


def _pet_under_contract() -> AlreadyUnderContract:
    return AlreadyUnderContract(
        _("This pet is already under an open contract."), fields={"pet": [_("Already under contract.")]}
    )


def _plan_version_on_sale(plan_version_id: int) -> PlanVersion:
    """The newest version of a plan on sale; older versions only live on in signed contracts."""
    version = (
        PlanVersion.objects.select_related("plan").filter(pk=plan_version_id).first()
        if isinstance(plan_version_id, int) and not isinstance(plan_version_id, bool)
        else None
    )
    if version is None or not version.plan.is_active:
        raise UnknownPlanVersion(
            _("This plan is not offered."), fields={"plan_version_id": [_("Unknown plan version.")]}
        )
    newest = PlanVersion.objects.filter(plan_id=version.plan_id).order_by("-version").values_list("pk", flat=True)
    if newest.first() != version.pk:
        raise UnknownPlanVersion(
            _("This version of the plan is no longer offered; use its current version."),
            fields={"plan_version_id": [_("Superseded plan version.")]},
        )
    return version


def is_adult(*, birth_date: date, on: date) -> bool:
    """Whether someone born on `birth_date` is 18 on `on` (born 29 February: adult on 1 March)."""
    try:
        birthday = birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        birthday = date(birth_date.year + ADULT_AGE, 3, 1)
    return on >= birthday


def shop_check_may_sign() -> None:
    """Refuse when the current shop may not sign new contracts, saying why.

    Read from the database, not from connection.tenant: the platform's risk
    controls change the row while a request's tenant object stays as it was loaded.
    """
    shop = Shop.objects.only("state", "risk_state").get(schema_name=connection.schema_name)
    if shop.risk_state == ShopRiskState.BLOCKED_NEW_SIGNINGS:
        raise SigningBlocked(_("New signings are blocked by the platform's risk controls."))
    if not shop.may_sign:
        raise SigningBlocked(_("This shop is not open for new signings."))
    limit = platform_side().contract_limit(shop_id=shop.pk)
    if limit is not None and Contract.objects.filter(status=ContractStatus.ACTIVE).count() >= limit:
        raise SigningBlocked(
            _("Your Pawpact plan allows %(limit)d active contracts; upgrade it to sign more.") % {"limit": limit},
            code="plan_limit_reached",
        )


# --- 2. Credit --------------------------------------------------------------------------


def application_credit_check(
    *, contract: Contract, provider: CreditProvider | None = None, clock: Clock = default_clock
) -> Contract:
    """Score the applicant (sandbox provider by default) and apply the deposit rule."""
    report = (provider or sandbox_provider).score(customer=contract.customer)
    return credit_decision_record(contract=contract, report=report, clock=clock)


# --- 3. Signature -----------------------------------------------------------------------


def contract_sign(
    *,
    contract: Contract,
    signer_name: str,
    ip: str,
    user_agent: str,
    signed_by_user: User | None = None,
    clock: Clock = default_clock,
) -> Contract:
    """The adopter signs the rendered agreement; its exact text and SHA-256 are kept."""
    signer_name = signer_name.strip() if isinstance(signer_name, str) else ""
    errors: dict[str, list[str]] = {}
    if not signer_name:
        errors["signer_name"] = [_("The adopter types their full name to sign.")]
    elif len(signer_name) > 80:
        errors["signer_name"] = [_("Use at most 80 characters.")]
    try:
        validate_ipv46_address(ip)
    except DjangoValidationError:
        errors["ip"] = [_("Enter the signer's IP address.")]
    if errors:
        raise ValidationFailed(_("The signature is incomplete."), fields=errors)

    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("customer", "pet", "plan_version__plan")
            .get(pk=contract.pk)
        )
        # Only the adopter signs: a customer account may sign its own contract only
        # (staff may hold the device for an adopter who signs in the shop).
        if signed_by_user is not None and not signed_by_user.is_staff and locked.customer.user_id != signed_by_user.pk:
            raise PermissionDenied(_("Only the adopter named in the contract can sign it."))
        if locked.signed_at is not None:
            raise AlreadySigned(_("This contract is signed already."))
        transition_check(current=locked.status, target=ContractStatus.SIGNED)
        if locked.credit_checked_at is None:
            raise IllegalTransition(_("Run the credit check before signing: it decides the deposit."))
        shop_check_may_sign()
        text = agreement_render(contract=locked)
        locked.agreement_text = text
        locked.agreement_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        locked.signed_at = clock.now()
        locked.signed_by_name = signer_name
        locked.signed_ip = ip
        locked.signed_user_agent = (user_agent or "")[:255]
        locked.status = ContractStatus.SIGNED
        locked.save(
            update_fields=[
                "agreement_text",
                "agreement_sha256",
                "signed_at",
                "signed_by_name",
                "signed_ip",
                "signed_user_agent",
                "status",
            ]
        )
    return locked


# --- 4. Payment method ------------------------------------------------------------------


def contract_attach_payment_method(*, contract: Contract, payment_method: PaymentMethod) -> Contract:
    """Choose the saved payment method the contract is debited from (before it is active)."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.status not in (ContractStatus.DRAFT, ContractStatus.SIGNED):
            raise IllegalTransition(
                _("The payment method can only be chosen before the contract starts; this one is %(status)s.")
                % {"status": ContractStatus(locked.status).label.lower()}
            )
        payment_method = PaymentMethod.objects.get(pk=payment_method.pk)
        _payment_method_check(contract=locked, payment_method=payment_method)
        locked.payment_method = payment_method
        locked.save(update_fields=["payment_method"])
    return locked


def contract_payment_method_add(*, contract: Contract, rail: str, token: str, label: str = "") -> Contract:
    """Save a payment method for the contract's customer and choose it, or neither."""
    with transaction.atomic():
        method = payment_method_attach(customer=contract.customer, rail=rail, token=token, label=label)
        return contract_attach_payment_method(contract=contract, payment_method=method)


def _payment_method_check(*, contract: Contract, payment_method: PaymentMethod) -> None:
    if payment_method.customer_id != contract.customer_id:
        raise _invalid_method(_("This payment method belongs to another customer."))
    if not payment_method.is_active:
        raise _invalid_method(_("This payment method has been removed."))
    policy = policy_for(payment_method.rail)
    amounts = [("monthly", contract.monthly_amount_minor)]
    if contract.deposit_status == DepositStatus.DUE:
        amounts.append(("deposit", contract.deposit_minor))
    for what, amount in amounts:
        if not amount_allowed(amount_minor=amount, policy=policy):
            money = Money(amount, contract.currency).format()
            cap = Money(policy.max_amount_minor or 0, contract.currency).format()
            message = (
                _("The monthly amount of %(amount)s is above this payment method's limit of %(cap)s per debit.")
                if what == "monthly"
                else _("The deposit of %(amount)s is above this payment method's limit of %(cap)s per debit.")
            )
            raise _invalid_method(message % {"amount": money, "cap": cap})


def _invalid_method(message: str) -> InvalidPaymentMethod:
    return InvalidPaymentMethod(message, fields={"payment_method": [message]})


# --- 5. Activation ----------------------------------------------------------------------


class _FirstDebitNotPaid(Exception):
    """Rolls back the activation when period 1 is not paid."""


def contract_activate(*, contract: Contract, clock: Clock = default_clock) -> Contract:
    """Start a signed contract: deposit (if due), debit calendar, period 1 collected now.

    Only a paid period 1 activates it. If a charge fails the contract stays SIGNED
    and PaymentFailed says why; calling this again later (e.g. after attaching
    another payment method) resumes where it stopped, and rail idempotency keys
    make sure nothing is charged twice. An active contract is returned unchanged.
    """
    contract = _activation_start(contract=contract)
    if contract.status == ContractStatus.ACTIVE:
        return contract
    if contract.deposit_status == DepositStatus.DUE:
        _deposit_collect(contract=contract, clock=clock)
    first_period = _calendar_ensure(contract=contract, clock=clock)
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
        if locked.status == ContractStatus.ACTIVE:
            return locked
        transition_check(current=locked.status, target=ContractStatus.ACTIVE)
        if locked.payment_method is None:
            raise _invalid_method(_("Attach a payment method before starting the contract."))
        _payment_method_check(contract=locked, payment_method=locked.payment_method)
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
    if not result.succeeded:
        raise PaymentFailed(
            _(
                "The deposit of %(amount)s could not be collected (%(reason)s). "
                "The contract stays signed: try again or attach another payment method."
            )
            % {"amount": deposit.format(), "reason": _reason(result.outcome, is_unknown=result.is_unknown)},
            fields={"payment_method": [_reason(result.outcome, is_unknown=result.is_unknown)]},
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
            kind=DEPOSIT_HELD_KIND,
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
    return rail_for(payment_method.rail).charge(
        token=payment_method.token,
        customer_ref=payment_method.rail_customer_ref,
        amount=amount,
        idempotency_key=key,
        metadata=metadata,
    )


def _calendar_ensure(*, contract: Contract, clock: Clock) -> DebitPeriod:
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
            transition_check(current=locked.status, target=ContractStatus.ACTIVE)
            journal_post(
                key=contract_activated_key(locked),
                kind=CONTRACT_ACTIVATED_KIND,
                lines=[
                    Line(LedgerAccount.RECEIVABLE, locked.total_minor),
                    Line(LedgerAccount.DEFERRED_REVENUE, -locked.total_minor),
                ],
                currency=locked.currency,
                contract=locked,
                memo=f"{locked.periods} × {locked.monthly_amount_minor}",
            )
            outbox_emit(
                kind=EventKind.CONTRACT_SIGNED, aggregate_uuid=locked.uuid, payload=contract_signed_payload(locked)
            )
            attempt = period_collect(period=period, clock=clock)
            if attempt.status != AttemptStatus.SUCCEEDED:
                raise _FirstDebitNotPaid
            now = clock.now()
            locked.status = ContractStatus.ACTIVE
            locked.activated_at = now
            locked.cooling_off_until = clock.today() + timedelta(days=locked.plan_version.cooling_off_days)
            locked.save(update_fields=["status", "activated_at", "cooling_off_until"])
            if locked.pet.owner_id is None:
                # The adoption is complete: the pet is now the customer's.
                Pet.objects.filter(pk=locked.pet_id, owner__isnull=True).update(owner=locked.customer)
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


def _first_debit_failed(*, contract: Contract, attempt: DebitAttempt) -> PaymentFailed:
    amount = Money(attempt.amount_minor, contract.currency).format()
    reason = _reason(attempt.outcome, is_unknown=attempt.status == AttemptStatus.STARTED)
    return PaymentFailed(
        _(
            "The first monthly debit of %(amount)s failed (%(reason)s). The contract stays signed "
            "and is not active: try again or attach another payment method."
        )
        % {"amount": amount, "reason": reason},
        fields={"payment_method": [reason]},
    )


def _reason(outcome: str, *, is_unknown: bool) -> str:
    if is_unknown:
        return _("the payment provider did not answer; nothing is charged twice if you try again")
    return {
        "insufficient_funds": _("insufficient funds"),
        "hard_decline": _("declined by the bank; use another payment method"),
        "invalid_token": _("the payment method is not valid"),
    }.get(outcome, outcome or _("declined"))
