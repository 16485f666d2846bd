from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.errors import field_messages
from pawpact.api.serializers import InputSerializer
from pawpact.core.events import CATALOGUE
from pawpact.core.opaque_ids import EVENT, opaque_id
from pawpact.outbox.errors import WebhookEventsInvalid
from pawpact.outbox.models import WebhookDelivery

EVENT_CHOICES = sorted(CATALOGUE)


class _EventsChecked(InputSerializer):
    """Event types outside the catalogue answer the documented `webhook_events_invalid`, with
    every other invalid field reported beside them."""

    def is_valid(self, *, raise_exception=False):
        valid = super().is_valid()
        if not valid and raise_exception:
            if any(name == "events" or name.startswith("events.") for name in field_messages(self.errors)):
                raise WebhookEventsInvalid(
                    gettext("Choose event types from the catalogue (GET /webhook-event-types)."),
                    fields=field_messages(self.errors),
                )
            raise serializers.ValidationError(self.errors)
        return valid


class WebhookEndpointInputSerializer(_EventsChecked):
    url = serializers.URLField(max_length=500, help_text=_("https (http only in test mode)."))
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class WebhookEndpointPatchSerializer(_EventsChecked):
    min_properties = 1
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointSerializer(serializers.Serializer):
    object = serializers.CharField(default="webhook_endpoint", help_text=_("Always `webhook_endpoint`."))
    id = serializers.UUIDField(source="uuid")
    url = serializers.URLField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    livemode = serializers.BooleanField(help_text=_("Receives events of records of this mode only."))
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text=_("The signing secret (`whsec_…`): shown this once only."))


class WebhookDeliverySerializer(serializers.Serializer):
    object = serializers.CharField(default="webhook_delivery", help_text=_("Always `webhook_delivery`."))
    id = serializers.UUIDField(source="uuid")
    event_id = serializers.SerializerMethodField()
    event_type = serializers.CharField(source="event.kind")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_event_id(self, delivery) -> str:
        return opaque_id(EVENT, delivery.event_id)


class WebhookDeliveryQuerySerializer(InputSerializer):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)


class EventTypeSerializer(serializers.Serializer):
    object = serializers.CharField(default="event_type")
    type = serializers.CharField()
    description = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())
