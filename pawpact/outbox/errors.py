from pawpact.core.errors import ValidationFailed


class WebhookUrlInvalid(ValidationFailed):
    """A webhook URL must be https in live mode (http is accepted in test mode) and not point at this platform."""

    code = "webhook_url_invalid"


class WebhookEventsInvalid(ValidationFailed):
    """Subscribe to at least one event type of the catalogue (`GET /webhook-event-types`)."""

    code = "webhook_events_invalid"
