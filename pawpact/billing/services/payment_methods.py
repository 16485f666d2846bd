"""Saving a customer's payment method after the rail has confirmed it exists."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import InvalidPaymentMethod, PaymentMethodInUse
from pawpact.billing.models import Contract, PaymentMethod
from pawpact.core.metadata import metadata_update
from pawpact.customers.models import Customer
from pawpact.payments import sandbox
from pawpact.payments.stripe import SetupIntentHandle, StripeRail
from pawpact.tenants.modes import current_livemode, sandbox_refuse_in_live

ATTACHABLE_RAILS = (sandbox.SandboxRail.name, StripeRail.name)


def stripe_card_setup_begin(*, customer: Customer) -> SetupIntentHandle:
    """Start saving a card: a SetupIntent (for Stripe.js) on the customer's Stripe customer,
    created on first use. The card is saved by payment_method_attach once confirmed."""
    rail = StripeRail(livemode=current_livemode())
    customer_ref = (
        customer.payment_methods.filter(rail=StripeRail.name).exclude(rail_customer_ref="")
        .values_list("rail_customer_ref", flat=True).first()
    )  # fmt: skip
    if customer_ref is None:
        customer_ref = rail.customer_create(name=customer.name, metadata={"customer_uuid": str(customer.uuid)})
    return rail.setup_intent_create(customer_ref)


def payment_method_attach(*, customer: Customer, rail: str, token: str, label: str = "") -> PaymentMethod:
    """Validate `token` on `rail` and save it for `customer`; attaching the same method
    again returns the saved one. Raises InvalidPaymentMethod, writing nothing.

    The method is saved in the shop's current mode: a live shop refuses sandbox tokens
    (SandboxRefusedInLiveMode), and Stripe's key must belong to that mode."""
    token = (token or "").strip()
    livemode = current_livemode()
    if rail == sandbox.SandboxRail.name:
        sandbox_refuse_in_live(provider=_("The sandbox payment rail"), livemode=livemode)
        if not sandbox.validate_token(token):
            raise _invalid(_("This is not a sandbox payment token."))
        stored_token, customer_ref = sandbox.token_vault(token), ""
        label = label or sandbox.token_label(token)
    elif rail == StripeRail.name:
        # The rail is asked before anything is written: an external call never holds a transaction open.
        card = StripeRail(livemode=livemode).payment_method_get(token=token) if token.startswith("pm_") else None
        if card is None:
            raise _invalid(_("Stripe does not know this payment method."))
        if not card.customer_ref:
            raise _invalid(_("This card is not saved for automatic debits yet: confirm the card setup first."))
        others = PaymentMethod.objects.filter(rail=rail, rail_customer_ref=card.customer_ref).exclude(customer=customer)
        if others.exists():
            raise _invalid(_("This card belongs to another customer."))
        stored_token, customer_ref = card.id, card.customer_ref
        label = label or card.label
    else:
        raise InvalidPaymentMethod(
            _("Payment methods cannot be saved on this rail."),
            fields={"rail": _("Choose one of: %(rails)s.") % {"rails": ", ".join(ATTACHABLE_RAILS)}},
        )
    return _save(
        customer=customer, rail=rail, token=stored_token, customer_ref=customer_ref, label=label[:80], livemode=livemode
    )


def _save(*, customer: Customer, rail: str, token: str, customer_ref: str, label: str, livemode: bool) -> PaymentMethod:
    try:
        with transaction.atomic():
            return PaymentMethod.objects.create(
                customer=customer, rail=rail, token=token, rail_customer_ref=customer_ref, label=label,
                livemode=livemode,
            )  # fmt: skip
    except IntegrityError:
        existing = PaymentMethod.objects.get(rail=rail, token=token)
    if existing.customer_id != customer.pk:
        raise _invalid(_("This payment method belongs to another customer."))
    if not existing.is_active:  # attached again after it was removed
        existing.is_active = True
        existing.save(update_fields=["is_active"])
    return existing


def payment_method_detach(*, payment_method: PaymentMethod) -> PaymentMethod:
    """Remove a saved payment method from the customer's choices (kept for the records).
    Refused while a signed or active contract debits it; removing it twice is harmless."""
    with transaction.atomic():
        locked = PaymentMethod.objects.select_for_update().get(pk=payment_method.pk)
        in_use = Contract.objects.filter(
            payment_method=locked, status__in=(ContractStatus.SIGNED, ContractStatus.ACTIVE)
        )
        if in_use.exists():
            raise PaymentMethodInUse(
                _("A contract debits this payment method: give the contract another one first."),
                fields={"payment_method": [_("In use.")]},
            )
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
    return locked


def _invalid(message: str) -> InvalidPaymentMethod:
    return InvalidPaymentMethod(message, fields={"token": message})


def payment_method_metadata_update(*, payment_method: PaymentMethod, metadata: dict) -> PaymentMethod:
    return metadata_update(record=payment_method, changes=metadata)
