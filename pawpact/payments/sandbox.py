"""The sandbox rail: the adapter between billing and the local sandbox provider.

Tokens and outcomes (a saved token may carry a ".suffix", see payment_methods):
  tok_success             succeeded
  tok_insufficient_funds  soft decline (retry later)
  tok_hard_decline        hard decline (a new payment method is needed)
  tok_network_error       the network dies before the provider answers: nothing is
                          charged and the outcome is unknown (is_unknown=True)
  tok_slow                succeeds after SANDBOX_RAIL_SLOW_SECONDS
"""
import time
import uuid

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pawpact.core.money import Money
from pawpact.payments.base import ChargeResult
from pawpact.payments.enums import DeclineType
from pawpact.payments.errors import IdempotencyKeyReused, RefundFailed
from pawpact.sandbox import services as provider

TOKENS = provider.TOKENS
NETWORK_ERROR = "network_error"

_DECLINES: dict[str, DeclineType] = {
    provider.INSUFFICIENT_FUNDS: DeclineType.SOFT,
    provider.HARD_DECLINE: DeclineType.HARD,
    provider.INVALID_TOKEN: DeclineType.HARD,
}

# Stored on the saved method in English; pages show them translated (PaymentMethod.shown_label).
_LABELS = {
    "tok_success": gettext_noop("Sandbox · success"),
    "tok_insufficient_funds": gettext_noop("Sandbox · insufficient funds"),
    "tok_hard_decline": gettext_noop("Sandbox · hard decline"),
    "tok_network_error": gettext_noop("Sandbox · network error"),
    "tok_slow": gettext_noop("Sandbox · slow"),
}


def validate_token(token: str) -> bool:
    return provider.token_is_valid(token)


def token_label(token: str) -> str:
    return _LABELS.get(provider.token_base(token), "Sandbox")


def token_vault(token: str) -> str:
    """The token to store for one saved method: a test token plus a unique suffix, as a
    real rail turns a test card into a new payment-method id ("tok_success.9f…")."""
    base = provider.token_base(token)
    return token if base != token else f"{base}.{uuid.uuid4().hex[:16]}"


class SandboxRail:
    name = "sandbox"

    def __init__(self, *, sleep=time.sleep) -> None:
        self._sleep = sleep

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        if provider.token_base(token) == provider.NETWORK_ERROR_TOKEN:
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        charge, created = provider.sandbox_charge(
            idempotency_key=idempotency_key,
            shop_schema=connection.schema_name,
            token=token,
            amount_minor=amount.amount_minor,
            currency=amount.currency,
            sleep=self._sleep,
        )
        if not created and (charge.shop_schema, charge.token, charge.amount_minor, charge.currency) != (
            connection.schema_name,
            token,
            amount.amount_minor,
            amount.currency,
        ):
            # Like Stripe: one key, one request. Answering with the other charge would hide a bug.
            raise IdempotencyKeyReused(f"Idempotency key {idempotency_key!r} was used for a different charge.")
        return self._result(charge)

    def query(self, *, idempotency_key: str, amount: Money) -> ChargeResult | None:
        charge = provider.sandbox_charge_get(idempotency_key=idempotency_key, shop_schema=connection.schema_name)
        if charge is None:
            return None
        return self._result(charge)

    @staticmethod
    def _result(charge) -> ChargeResult:
        if charge.outcome == provider.SUCCEEDED:
            return ChargeResult(succeeded=True, outcome=charge.outcome, reference=charge.reference)
        return ChargeResult(
            succeeded=False, outcome=charge.outcome, reference=charge.reference, decline_type=_DECLINES[charge.outcome]
        )

    def refund(
        self, *, token: str, charge_reference: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        try:
            refund, created = provider.sandbox_refund(
                idempotency_key=idempotency_key,
                shop_schema=connection.schema_name,
                token=token,
                amount_minor=amount.amount_minor,
                currency=amount.currency,
                charge_reference=charge_reference,
            )
        except ValueError:
            raise RefundFailed(_("A refund cannot be larger than the charge it gives back.")) from None
        if not created and (refund.shop_schema, refund.amount_minor, refund.currency, refund.outcome) != (
            connection.schema_name,
            -amount.amount_minor,
            amount.currency,
            provider.REFUNDED,
        ):
            raise IdempotencyKeyReused(f"Idempotency key {idempotency_key!r} was used for a different movement.")
        return refund.reference
