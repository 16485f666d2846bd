"""The platform's errors; each has the code the API and pages show (pawpact.core.errors)."""
from pawpact.core.errors import ValidationFailed


class NotAShop(ValidationFailed):
    """The public site has no KPIs of its own."""

    code = "not_a_shop"


class WebhookRejected(ValidationFailed):
    """A webhook that is not a genuine, fresh Stripe event."""

    code = "webhook_rejected"


class WebhookSignatureInvalid(WebhookRejected):
    code = "webhook_signature_invalid"


class WebhookTimestampStale(WebhookRejected):
    code = "webhook_timestamp_stale"


class WebhookTimestampFuture(WebhookRejected):
    code = "webhook_timestamp_future"


class WebhookPayloadInvalid(WebhookRejected):
    code = "webhook_payload_invalid"
