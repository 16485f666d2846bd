"""Errors of the payment-rail adapters (the shared billing errors are in pawpact.billing.errors)."""
from pawpact.core.errors import BusinessRuleViolation, Conflict, ServiceUnavailable, ValidationFailed


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


class PaymentDeclined(BusinessRuleViolation):
    """The payment provider declined the charge (a top-up, a redemption's cash part, a paid membership); the contract's charges raise billing's PaymentFailed, which the catalogue describes."""

    code = "payment_declined"
    # The rail was asked and answered: pawpact.api.idempotency keeps this answer under the key.
    rail_called = True

    def __init__(self, message: str, *, decline_code: str, fields=None) -> None:
        super().__init__(message, fields=fields)
        self.decline_code = decline_code

    def as_dict(self) -> dict:
        return {**super().as_dict(), "decline_code": self.decline_code}


class PaymentPending(Conflict):
    """The payment provider has not answered, so whether the charge went through is not known yet; nothing is charged twice. Retry the same request (the same `Idempotency-Key` is fine): it asks the provider again and answers the outcome."""

    code = "payment_pending"
