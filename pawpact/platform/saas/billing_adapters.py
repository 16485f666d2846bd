"""How Pawpact charges shops for their subscription: one protocol, two adapters.

- SandboxSaasAdapter: the local sandbox provider with the sandbox rail's semantics
  (tok_success, tok_insufficient_funds, tok_hard_decline, tok_network_error, tok_slow).
  Charges are recorded in the public schema, whichever host asked for them.
- StripeSaasAdapter: a Stripe Customer per shop with its card (a PaymentMethod
  attached to it), each invoice charged as an off-session PaymentIntent carrying the
  attempt's idempotency key (the shop rail's own PaymentIntent code is reused).

Both answer a repeated idempotency key with the first outcome instead of charging again.
"""
from dataclasses import dataclass
from typing import Protocol

import stripe
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from pawpact.core.errors import ServiceUnavailable
from pawpact.core.money import Money
from pawpact.payments import sandbox
from pawpact.payments.base import ChargeResult
from pawpact.payments.stripe import StripeRail, stripe_client
from pawpact.platform.saas.errors import InvalidSaasPaymentMethod
from pawpact.tenants.modes import platform_livemode, sandbox_refuse_in_live

SANDBOX = "sandbox"
STRIPE = "stripe"
RAILS = (SANDBOX, STRIPE)


@dataclass(frozen=True)
class SavedMethod:
    """What to store on the subscription once the provider has confirmed the method."""

    rail: str
    token: str
    customer_ref: str
    label: str


class SaasPaymentAdapter(Protocol):
    name: str

    def method_save(self, *, token: str, customer_ref: str, shop_name: str, shop_id: int) -> SavedMethod:
        """Check `token` with the provider (and attach it to the shop's customer there).
        Raises InvalidSaasPaymentMethod, changing nothing, when the provider refuses it."""
        ...

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        """Charge off-session, at most once per idempotency key."""
        ...


def _invalid(message: str) -> InvalidSaasPaymentMethod:
    return InvalidSaasPaymentMethod(message, fields={"token": [message]})


class SandboxSaasAdapter:
    name = SANDBOX

    def method_save(self, *, token: str, customer_ref: str, shop_name: str, shop_id: int) -> SavedMethod:
        # Pawpact's own subscription is the platform's money: a live platform takes no pretend tokens.
        sandbox_refuse_in_live(provider=_("The sandbox payment rail"), livemode=platform_livemode())
        if not sandbox.validate_token(token):
            raise _invalid(_("This is not a sandbox payment token."))
        return SavedMethod(rail=SANDBOX, token=token, customer_ref=customer_ref, label=sandbox.token_label(token))

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        sandbox_refuse_in_live(provider=_("The sandbox payment rail"), livemode=platform_livemode())
        # The provider keys its records by the caller's schema: always the platform's here,
        # so a charge started by the daily run and re-asked from the shop's billing page match.
        with schema_context(get_public_schema_name()):
            return sandbox.SandboxRail().charge(
                token=token, customer_ref=customer_ref, amount=amount, idempotency_key=idempotency_key,
                metadata=metadata,
            )  # fmt: skip


class StripeSaasAdapter:
    name = STRIPE

    def __init__(self, *, client: stripe.StripeClient | None = None) -> None:
        self._client = client or stripe_client()

    def method_save(self, *, token: str, customer_ref: str, shop_name: str, shop_id: int) -> SavedMethod:
        if not token.startswith("pm_"):
            raise _invalid(_("Enter a Stripe payment method id (pm_…)."))
        try:
            try:
                method = self._client.v1.payment_methods.retrieve(token).to_dict()
            except stripe.InvalidRequestError as error:
                if error.http_status == 404:
                    raise _invalid(_("Stripe does not know this payment method.")) from None
                raise
            attached_to = method.get("customer") or ""
            if attached_to and attached_to != customer_ref:
                raise _invalid(_("This card is saved for another Stripe customer."))
            if not customer_ref.startswith("cus_"):
                customer = self._client.v1.customers.create(
                    {"name": shop_name, "metadata": {"pawpact_shop_id": str(shop_id), "purpose": "saas"}}
                )
                customer_ref = customer["id"]
            if not attached_to:
                self._client.v1.payment_methods.attach(token, {"customer": customer_ref})
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
            raise ServiceUnavailable(_("Stripe could not be reached; nothing was changed. Try again.")) from error
        card = method.get("card") or {}
        label = f"{card.get('brand', 'card').title()} •••• {card.get('last4', '')}"
        return SavedMethod(rail=STRIPE, token=token, customer_ref=customer_ref, label=label)

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        # Not a shop's debit: the webhook inbox ignores intents whose schema is the public one.
        metadata = {**metadata, "shop_schema": get_public_schema_name()}
        return StripeRail(client=self._client, livemode=platform_livemode()).charge(
            token=token, customer_ref=customer_ref, amount=amount, idempotency_key=idempotency_key, metadata=metadata
        )


def saas_adapter_for(rail: str) -> SaasPaymentAdapter:
    if rail == SANDBOX:
        return SandboxSaasAdapter()
    if rail == STRIPE:
        return StripeSaasAdapter()
    raise InvalidSaasPaymentMethod(
        _("Unknown payment rail."), fields={"rail": [_("Choose one of: %(rails)s.") % {"rails": ", ".join(RAILS)}]}
    )


def method_label(*, rail: str, token: str) -> str:
    """A human label for a stored method, without showing the whole token."""
    if not token:
        return ""
    if rail == SANDBOX:
        return sandbox.token_label(token)
    return f"Stripe {token[:7]}…{token[-4:]}" if len(token) > 12 else f"Stripe {token}"
