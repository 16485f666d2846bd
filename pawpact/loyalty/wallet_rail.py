"""Charging the cash part of a redemption or a top-up on the customer's saved method.

The same protocol as shop orders: the caller commits its PAYING row with the charge's
idempotency key before the rail is called, so a retry asks the rail again under that
key and money never moves twice; an unreachable rail leaves the outcome unknown.
"""
import logging

from django.utils.translation import gettext as _

from pawpact.billing.models import PaymentMethod
from pawpact.core.money import Money
from pawpact.customers.models import Customer
from pawpact.billing.errors import InvalidPaymentMethod
from pawpact.payments.base import ChargeResult
from pawpact.payments.errors import PaymentDeclined
from pawpact.payments.outcomes import decline_code, decline_reason
from pawpact.payments.registry import rail_for
from pawpact.tenants.modes import current_livemode, sandbox_refuse_in_live

logger = logging.getLogger(__name__)


def method_check(*, customer: Customer, payment_method: PaymentMethod | None) -> PaymentMethod:
    """The customer's own active method of the current mode, or a 4xx naming the field."""
    if payment_method is None or payment_method.customer_id != customer.pk or not payment_method.is_active:
        raise InvalidPaymentMethod(_("Choose one of your own payment methods."), fields={"payment_method": [_("Not yours.")]})
    livemode = current_livemode()
    if payment_method.rail == "sandbox":
        sandbox_refuse_in_live(provider=_("The sandbox payment rail"), livemode=livemode)
    if payment_method.livemode != livemode:
        raise InvalidPaymentMethod(_("This payment method belongs to the other mode (test or live); choose another."),
                              fields={"payment_method": [_("Not usable in this mode.")]})  # fmt: skip
    return payment_method


def charge(*, payment_method: PaymentMethod, amount_minor: int, key: str, metadata: dict, rail=None) -> ChargeResult:
    """`rail`: the adapter resolved beforehand (a renewal run's threads must not touch the database)."""
    try:
        return (rail or rail_for(payment_method.rail, livemode=payment_method.livemode)).charge(
            token=payment_method.token, customer_ref=payment_method.rail_customer_ref,
            amount=Money(amount_minor, "CNY"), idempotency_key=key, metadata=metadata,
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 — an unreachable rail must not lose the PAYING marker
        logger.exception("Rail failed for %s; outcome unknown", key)
        return ChargeResult(succeeded=False, outcome=f"rail_error:{type(error).__name__}", is_unknown=True)


def declined(outcome: str) -> PaymentDeclined:
    reason = decline_reason(outcome)
    return PaymentDeclined(_("The payment failed (%(reason)s); nothing was kept.") % {"reason": reason},
                           decline_code=decline_code(outcome), fields={"payment_method": [reason]})  # fmt: skip
