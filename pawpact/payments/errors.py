"""Errors of the payment-rail adapters (the shared billing errors are in pawpact.billing.errors)."""
from pawpact.core.errors import BusinessRuleViolation, Conflict, ServiceUnavailable, ValidationFailed


class UnknownRail(ValidationFailed):
    code = "unknown_rail"


class RailNotAvailable(BusinessRuleViolation):
    """A rail the policies describe but no adapter charges yet (Alipay, WeChat)."""

    code = "rail_not_available"


class RailNotConfigured(ServiceUnavailable):
    code = "rail_not_configured"


class IdempotencyKeyReused(Conflict):
    """The same idempotency key was sent with different charge parameters: a caller bug."""

    code = "idempotency_key_reused"


class RefundFailed(ServiceUnavailable):
    code = "refund_failed"
