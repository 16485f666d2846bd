from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from pawpact.api.expand import ExpandedField
from pawpact.api.fields import ObjectField
from pawpact.billing.services.payment_methods import ATTACHABLE_RAILS
from pawpact.core.errors import DomainError
from pawpact.core.text import INVISIBLE_MESSAGE, has_invisible
from pawpact.payments.enums import Rail


# Documents the body pawpact.api.errors.exception_handler renders; never used to render.
# No docstring: the schema would show it as the component's description.
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages by field; a nested field's path joins keys and list positions with dots "
                    "(`lines.1.quantity`)."),
    )
    retry_after = serializers.IntegerField(
        required=False, help_text=_("429 only: seconds to wait before trying again (as the `Retry-After` header).")
    )
    decline_code = serializers.CharField(
        required=False,
        help_text=_("`payment_declined` only: why the provider declined (`insufficient_funds`, `hard_decline`, "
                    "`invalid_token`, `declined`)."),
    )


class ApiRootSerializer(serializers.Serializer):
    object = serializers.CharField(default="api", help_text=_("Always `api`."))
    shop = serializers.CharField(help_text=_("The shop whose host this is (its address)."))
    name = serializers.CharField(help_text=_("The shop's name."))
    version = serializers.CharField(help_text=_("The latest dated API version."))
    docs = serializers.CharField(help_text=_("The interactive documentation."))
    schema = serializers.CharField(help_text=_("The OpenAPI schema (JSON at `schema.json`)."))


class HealthSerializer(serializers.Serializer):
    object = ObjectField("health")
    status = serializers.CharField()
    shop = serializers.CharField()
    database = serializers.BooleanField()


# A JSON value of the wrong type is refused, not coerced: 0 is not the text "0", "1" is not
# the number 1. The schema states the types, and the server keeps to them.
_JSON_TYPES: tuple[tuple[type[serializers.Field], tuple[type, ...]], ...] = (
    (serializers.BooleanField, (bool,)),
    (serializers.IntegerField, (int,)),
    (serializers.DecimalField, (str,)),
    (serializers.FileField, (object,)),
    (serializers.CharField, (str,)),  # also Choice, Email, UUID, Regex… fields
    (serializers.ChoiceField, (str,)),
    (serializers.DateField, (str,)),
    (serializers.DateTimeField, (str,)),
    (serializers.UUIDField, (str,)),
    (serializers.ListField, (list,)),
    (serializers.ListSerializer, (list,)),
    (serializers.DictField, (dict,)),
    (serializers.Serializer, (dict,)),
)


def _json_type_error(field: serializers.Field, value: object) -> str | None:
    if value is None:
        return None  # allow_null decides
    for field_class, types in _JSON_TYPES:
        if isinstance(field, field_class):
            wrong = not isinstance(value, types) or (bool not in types and isinstance(value, bool))
            return _TYPE_NAMES[types[0]] if wrong else None
    return None


_TYPE_NAMES = {
    bool: _("Expected true or false."),
    int: _("Expected an integer."),
    str: _("Expected a string."),
    list: _("Expected a list."),
    dict: _("Expected an object."),
    object: _("Expected a value."),
}


# The base of every request body: unknown members are refused (a misspelt optional field
# would otherwise be silently dropped) and JSON types are checked before DRF's coercion.
# Form and query values are strings by nature and are left to the fields. No docstring:
# the schema would show it as every body's description.
class InputSerializer(serializers.Serializer):
    # How many members a body needs at least (a PATCH changes at least one field).
    min_properties = 0
    min_properties_message = _("Change at least one field.")
    # How many members a body may have at most (1: exactly one of several ways to say it).
    max_properties = 0
    max_properties_message = _("Give only one of these fields.")

    def to_internal_value(self, data):
        if isinstance(data, dict) and not hasattr(data, "getlist"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {name: [_("Unknown field.")] for name in data if name not in writable}
            for name, field in self.fields.items():
                if not field.read_only and field.source_attrs and name in data:
                    message = _json_type_error(field, data[name])
                    if not message and type(field) is serializers.CharField and has_invisible(data[name]):
                        message = INVISIBLE_MESSAGE
                    if message:
                        errors[name] = [message]
            if errors:
                raise serializers.ValidationError({**self._other_errors(data, errors), **errors})
        values = super().to_internal_value(data)
        minimum = getattr(self, "min_properties", 0)
        if len(values) < minimum:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [self.min_properties_message]})
        if self.max_properties and len(values) > self.max_properties:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [self.max_properties_message]})
        return values


    def _other_errors(self, data: dict, refused: dict) -> dict:
        """The fields' own errors in the rest of the body, so one answer names every problem
        (an unknown member does not hide a blank name). A refusal of another kind (a customer
        sending metadata) is left for the corrected request."""
        try:
            super().to_internal_value({name: value for name, value in data.items() if name not in refused})
        except serializers.ValidationError as exc:
            return exc.detail if isinstance(exc.detail, dict) else {}
        except DomainError:
            return {}
        return {}


# The rails a payment method can be saved on (the schema's AttachableRailEnum).
ATTACHABLE_RAIL_CHOICES = [(rail, label) for rail, label in Rail.choices if rail in ATTACHABLE_RAILS]


class PaymentMethodInputSerializer(InputSerializer):
    rail = serializers.ChoiceField(
        choices=ATTACHABLE_RAIL_CHOICES,
        help_text=_("In test mode `sandbox` with a test token (tok_success…); `stripe` with a confirmed `pm_…`."),
    )
    token = serializers.CharField(max_length=255)
    # No default in the schema: "" would break its own minLength; the service fills it in.
    label = serializers.CharField(max_length=80, required=False)


# The one answer of every sign-in and refresh (pawpact.api.sign_in).
DEVICE_NAME_HELP = _("What the user will recognise in their list of signed-in devices (\"iPhone 15\", \"mini-program\"); "
                     "left out, it is read from the User-Agent (\"iPhone · WeChat 8.0\", \"Chrome on Windows\").")


class TokenSerializer(serializers.Serializer):
    object = serializers.CharField(default="token", help_text=_("Always `token`."))
    token = serializers.CharField(help_text=_("The access token: send it as `Authorization: Token <token>`."))
    token_expires_at = serializers.DateTimeField(help_text=_("After this, calls answer 401 `token_expired`: refresh."))
    refresh_token = serializers.CharField(
        help_text=_("Exchange it once at `/auth/refresh` for a new pair. Presenting it a second time signs the device out.")
    )  # fmt: skip
    refresh_expires_at = serializers.DateTimeField()
    device_id = serializers.UUIDField(help_text=_("This sign-in in `/auth/devices`."))
    customer = ExpandedField(
        "customer", required=True, allow_null=True, help_text=_("The customer signed in; null for a staff member.")
    )
    registered = serializers.BooleanField(help_text=_("True only on the sign-in that registered this customer."))
