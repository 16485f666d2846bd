"""Errors of the payment-rail adapters (the shared billing errors are in pawpact.billing.errors)."""
from pawpact.core.errors import Conflict, ServiceUnavailable, ValidationFailed


class UnknownRail(ValidationFailed):
    """No such payment rail: use one the schema lists (`sandbox`, `stripe`, `alipay`, `wechat`)."""

    code = "unknown_rail"


class RailNotConfigured(ServiceUnavailable):
    """This payment rail is not set up for the shop: try another payment method."""

    code = "rail_not_configured"


class IdempotencyKeyReused(Conflict):
    """The same idempotency key was sent with different charge parameters: a caller bug."""

    code = "payment_idempotency_key_reused"


class RefundFailed(ServiceUnavailable):
    """The payment provider did not carry out the refund: nothing was refunded; try again later."""

    code = "refund_failed"


class NotificationRejected(ValidationFailed):
    """A provider notification that is forged, stale, malformed or not ours."""

    code = "notification_rejected"


class ProviderRefused(ServiceUnavailable):
    """The provider answered, and said no (agreement calls, certificate downloads, ...)."""

    code = "provider_refused"


class StatementFileInvalid(ValidationFailed):
    """An uploaded statement file that is not the provider's format, or has a bad line."""

    code = "statement_file_invalid"
