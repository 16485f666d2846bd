"""Errors of the payment-rail adapters (the shared billing errors are in pawpact.billing.errors)."""
from pawpact.core.errors import Conflict, ServiceUnavailable, ValidationFailed


class UnknownRail(ValidationFailed):
    code = "unknown_rail"


class RailNotConfigured(ServiceUnavailable):
    code = "rail_not_configured"


class IdempotencyKeyReused(Conflict):
    """The same idempotency key was sent with different charge parameters: a caller bug."""

    code = "payment_idempotency_key_reused"


class RefundFailed(ServiceUnavailable):
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
