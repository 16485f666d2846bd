"""Errors of the shops' subscription to Pawpact (rendered in the API error shape)."""
from pawpact.core.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationFailed


class UnknownSaasPlan(ValidationFailed):
    code = "unknown_saas_plan"


class InvalidSaasPaymentMethod(BusinessRuleViolation):
    """The rail refused the payment method (unknown, or not the customer's)."""

    code = "invalid_payment_method"


class NoSubscription(NotFound):
    code = "no_subscription"


class SaasInvoiceNotFound(NotFound):
    code = "saas_invoice_not_found"


class NothingToPay(BusinessRuleViolation):
    code = "nothing_to_pay"


class SubscriptionExists(BusinessRuleViolation):
    code = "subscription_exists"


class IllegalSubscriptionTransition(Conflict):
    code = "illegal_transition"


class SubscriptionUnpaid(PermissionDenied):
    """A staff write to the back office of a shop whose subscription is read-only."""

    code = "subscription_unpaid"
