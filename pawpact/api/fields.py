from decimal import Decimal

from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from pawpact.api.current import asked_by_customer
from pawpact.api.errors import MetadataNotAllowed
from pawpact.billing.models import MAX_PENALTY_RATE
from pawpact.core.metadata import MAX_KEY_LENGTH, MAX_KEYS, MAX_VALUE_LENGTH, metadata_errors

# Bounds for integer ids sent in a body: a number past the database's bigint answers 400,
# never a database error.
MAX_ID = 2**63 - 1

MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
# The years an instant a client sets (a test clock's time) may fall in: a typo such as 0014
# or 9999 is refused instead of moving billing there.
SANE_YEARS = (2000, 2099)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"})
class MonthField(serializers.DateField):
    """A month as YYYY-MM (the first day of it)."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m"], format="%Y-%m", **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^(?:0\.?|0?\.(?:0[0-9]{0,2}|10{0,2}))$", "example": "0.05"})
class PenaltyRateField(serializers.DecimalField):
    """A share from 0 to 0.10 with at most three decimals, as a string ("0.05")."""

    default_error_messages = {
        # The plan service's own message, so the rule reads the same here as in the back office.
        # xgettext:no-python-format
        "out_of_range": _(
            "The early termination penalty rate must be between 0 and 0.10 (at most 10% of the remaining amount)."
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=4, decimal_places=3, **kwargs)

    def to_internal_value(self, data) -> Decimal:
        value = super().to_internal_value(data)
        if not Decimal("0") <= value <= MAX_PENALTY_RATE:
            self.fail("out_of_range")
        return value


METADATA_SCHEMA = {
    "type": "object",
    "maxProperties": MAX_KEYS,
    "additionalProperties": {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": r"^[^\u0000]*$"},
    "example": {"crm_id": "C-1042"},
}


# OpenAPI 3.0 cannot bound a map's keys, so the key rule is stated in words on every metadata
# field (the schema bounds the count and the values).
METADATA_RULES = format_lazy(
    _("At most {keys} keys of 1–{key_length} characters; values are strings of at most "
      "{value_length} characters (no NUL character)."),
    keys=MAX_KEYS, key_length=MAX_KEY_LENGTH, value_length=MAX_VALUE_LENGTH,
)  # fmt: skip


@extend_schema_field(
    {
        **METADATA_SCHEMA,
        "description": format_lazy(
            _("Your own key-value pairs, returned as stored to staff and secret keys; a customer's "
              "token reads `{{}}` (as Stripe keeps metadata from publishable keys). {rules}"), rules=METADATA_RULES
        ),
    }
)
class MetadataField(serializers.DictField):
    """Read: the record's metadata as stored; `{}` for a customer, as it is the integrator's own."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def to_representation(self, value):
        return {} if asked_by_customer() else super().to_representation(value)


@extend_schema_field(
    {
        **METADATA_SCHEMA,
        "description": format_lazy(
            _('{rules} On an update only the keys sent change; a key sent as "" is removed. Staff and secret keys '
              "only: a customer's token sending it answers 403 `metadata_not_allowed`."), rules=METADATA_RULES
        ),
    }
)
class MetadataInputField(serializers.Field):
    """Write: checked by the same rules the services apply (pawpact.core.metadata); staff and
    secret keys only, as a customer could otherwise rewrite the ids an integrator files under."""

    def to_internal_value(self, data):
        if asked_by_customer():
            raise MetadataNotAllowed(
                _("Metadata is written by the shop's staff and servers, not by a customer's token."),
                fields={"metadata": [_("Leave metadata out: it is set by the shop's own systems.")]},
            )
        errors = metadata_errors(data)
        if errors:
            whole = errors.pop("metadata", [])
            detail = {path.split(".", 1)[1]: messages for path, messages in errors.items()}
            if whole:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = whole
            raise serializers.ValidationError(detail)
        return data

    def to_representation(self, value):
        return value


class ObjectField(serializers.ReadOnlyField):
    """A resource's type, the same on every answer of one serializer (`"object": "plan"`):
    the schema states it as a one-value enum, so a client can tell resources apart."""

    def __init__(self, value: str, **kwargs):
        self.value = value
        kwargs.setdefault("help_text", format_lazy(_("Always `{}`."), value))
        super().__init__(source="*", **kwargs)

    def to_representation(self, _instance) -> str:
        return self.value


@extend_schema_field({"type": "string", "format": "date-time", "pattern": r"^20[0-9]{2}-"})
class SaneDateTimeField(serializers.DateTimeField):
    """An instant in the years 2000–2099."""

    default_error_messages = {"out_of_range": _("Give a time between the years 2000 and 2099.")}

    def to_internal_value(self, value):
        instant = super().to_internal_value(value)
        # The year as written (the schema's pattern reads the text), not after a shift to UTC.
        written = parse_datetime(value) if isinstance(value, str) else None
        if not SANE_YEARS[0] <= (written or instant).year <= SANE_YEARS[1]:
            self.fail("out_of_range")
        return instant
