"""The adoption signing flow, one service per step:

application_create → application_credit_check (or credit_record_staff_score)
→ agreement_render (shown) → contract_sign → contract_attach_payment_method
→ contract_activate (activation.py: deposit if due, debit calendar, period 1 collected).

Each step that moves the contract locks its row (select_for_update) and checks
the move against the contract's state machine (contract_state.py), so a step run twice or out of order is
refused with IllegalTransition instead of writing anything.
"""
import hashlib
from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import (
    ContractStatus,
    DepositStatus,
)
from pawpact.billing.errors import (
    AlreadyUnderContract,
    CustomerTooYoung,
    IllegalTransition,
    InvalidPaymentMethod,
    PlanLimitReached,
    SigningBlocked,
    UnknownPlanVersion,
)
from pawpact.billing.models import Contract, PaymentMethod, PlanVersion
from pawpact.billing.services.agreement import agreement_render
from pawpact.billing.services.contract_state import contract_transition_check
from pawpact.billing.services.credit import (
    CreditProvider,
    credit_consent_require,
    credit_decision_open_check,
    credit_decision_record,
    credit_provider_for,
)
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import PermissionDenied, ValidationFailed
from pawpact.core.metadata import metadata_merged, metadata_update
from pawpact.core.money import Money
from pawpact.customers.models import Customer, Pet
from pawpact.payments.policies import amount_allowed, policy_for
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import current_livemode, sandbox_refuse_in_live
from pawpact.tenants.ports import platform_side

ADULT_AGE = 18


# --- 1. Application -----------------------------------------------------------------


def application_create(
    *,
    customer: Customer,
    pet: Pet,
    plan_version_id: int,
    created_by: User | None = None,
    metadata: dict | None = None,
    clock: Clock = default_clock,
    offered: PlanVersion | None = None,
) -> Contract:
    """A draft contract for `pet` on the given plan version, amounts copied from the version.
    `offered`: what plan_version_offered answered for `plan_version_id` in this request, for a
    caller that checked the version beside its other inputs (it is not read a second time)."""
    metadata = metadata_merged({}, metadata)
    shop_check_may_sign()
    if created_by is not None and not created_by.is_staff and customer.user_id != created_by.pk:
        raise PermissionDenied(_("You can only apply for yourself."))
    if not is_adult(birth_date=customer.birth_date, on=clock.today()):
        raise CustomerTooYoung(
            _("The adopter must be at least 18 years old to sign a plan."),
            fields={"customer": [_("Under 18 on %(date)s.") % {"date": clock.today().isoformat()}]},
        )
    # Only a version read by _plan_version_on_sale carries its plan's newest version.
    checked = offered is not None and offered.pk == plan_version_id and getattr(offered, "newest_pk", None) == offered.pk
    version = offered if checked else _plan_version_on_sale(plan_version_id)
    if pet.owner_id is not None and pet.owner_id != customer.pk:
        raise ValidationFailed(
            _("This pet belongs to another customer."), fields={"pet": [_("Choose one of the customer's pets.")]}
        )
    # One open contract per pet is the partial unique index's rule: the insert itself is the
    # check (a read before it would cost a statement and still race).
    try:
        with transaction.atomic():
            return Contract.objects.create(
                customer=customer,
                pet=pet,
                plan_version=version,
                status=ContractStatus.DRAFT,
                livemode=current_livemode(),
                currency=version.currency,
                monthly_amount_minor=version.monthly_price_minor,
                periods=version.periods,
                total_minor=version.total_minor,
                created_by=created_by,
                created_at=clock.now(),
                metadata=metadata,
            )
    except IntegrityError as error:
        # Two applications raced for one pet: the partial unique index let one through.
        raise _pet_under_contract() from error


def _pet_under_contract() -> AlreadyUnderContract:
    return AlreadyUnderContract(
        _("This pet is already under an open contract."), fields={"pet": [_("Already under contract.")]}
    )


def plan_version_offered(plan_version_id: int) -> PlanVersion:
    """The plan version an application may name (UnknownPlanVersion otherwise), for a caller
    that checks it beside its other inputs."""
    return _plan_version_on_sale(plan_version_id)


def _plan_version_on_sale(plan_version_id: int) -> PlanVersion:
    """The newest version of a plan on sale; older versions only live on in signed contracts."""
    newest = PlanVersion.objects.filter(plan_id=OuterRef("plan_id")).order_by("-version").values("pk")[:1]
    version = (
        PlanVersion.objects.select_related("plan").annotate(newest_pk=Subquery(newest)).filter(pk=plan_version_id).first()
        if isinstance(plan_version_id, int) and not isinstance(plan_version_id, bool)
        else None
    )
    if version is None or not version.plan.is_active:
        raise UnknownPlanVersion(
            _("This plan is not offered."), fields={"plan_version_id": [_("Unknown plan version.")]}
        )
    if version.newest_pk != version.pk:
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
        raise PlanLimitReached(
            _("Your Pawpact plan allows %(limit)d active contracts; upgrade it to sign more.") % {"limit": limit}
        )


# --- 2. Credit --------------------------------------------------------------------------


def application_credit_check(
    *, contract: Contract, provider: CreditProvider | None = None, clock: Clock = default_clock
) -> Contract:
    """Score the applicant with the provider of the contract's mode and apply the deposit rule.

    The sandbox provider scores test-mode applications only; a live application needs the
    shop's real provider (or a staff-entered score with evidence)."""
    provider = provider or credit_provider_for(livemode=contract.livemode)
    if getattr(provider, "is_sandbox", False):
        sandbox_refuse_in_live(provider=_("The sandbox credit score"), livemode=contract.livemode)
    credit_decision_open_check(contract=contract)  # a contract past its draft says so, consent or not
    credit_consent_require(contract=contract, provider=provider)
    report = provider.score(customer=contract.customer)
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
        # Only the adopter signs: an account may sign its own contract only. Staff never sign
        # for a customer; the customer signs on their own phone (remote_signing.py).
        if signed_by_user is not None and locked.customer.user_id != signed_by_user.pk:
            raise PermissionDenied(_("Only the adopter named in the contract can sign it."))
        contract_transition_check(current=locked.status, target=ContractStatus.SIGNED)
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
        payment_method_check(contract=locked, payment_method=payment_method)
        locked.payment_method = payment_method
        locked.save(update_fields=["payment_method"])
    return locked


def contract_payment_method_add(*, contract: Contract, rail: str, token: str, label: str = "") -> Contract:
    """Save a payment method for the contract's customer and choose it, or neither."""
    with transaction.atomic():
        method = payment_method_attach(customer=contract.customer, rail=rail, token=token, label=label)
        return contract_attach_payment_method(contract=contract, payment_method=method)


def payment_method_check(*, contract: Contract, payment_method: PaymentMethod) -> None:
    if payment_method.customer_id != contract.customer_id:
        raise InvalidPaymentMethod.on_field(_("This payment method belongs to another customer."))
    if not payment_method.is_active:
        raise InvalidPaymentMethod.on_field(_("This payment method has been removed."))
    if payment_method.livemode != contract.livemode:
        raise InvalidPaymentMethod.on_field(
            _("A payment method saved in live mode cannot pay a test-mode contract.")
            if payment_method.livemode
            else _("A payment method saved in test mode cannot pay a live contract.")
        )
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
            raise InvalidPaymentMethod.on_field(message % {"amount": money, "cap": cap})







def contract_metadata_update(*, contract: Contract, metadata: dict) -> Contract:
    """Change a contract's metadata only: the terms of a signed contract never change here."""
    return metadata_update(record=contract, changes=metadata)
