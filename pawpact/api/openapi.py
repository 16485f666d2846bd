"""What the schema says beyond each operation's own serializers: the statuses that
answer in the one error shape, the `Idempotency-Key` header, and input rules the
server enforces that DRF's fields do not describe by themselves."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from pawpact.api.serializers import ErrorSerializer, InputSerializer

# A trimmed string must keep one visible character: "   " is refused like "".
NOT_ONLY_WHITESPACE = r"\S"


def error_responses(*codes: int) -> dict[int, type[ErrorSerializer]]:
    return {code: ErrorSerializer for code in codes}


# What a shop's operations may answer besides success.
ERRORS = error_responses(400, 401, 403, 404, 409, 422)

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=True,
    description="1–255 visible ASCII characters, new for every distinct request: a retry with the same key "
    "gets the first answer (with `Idempotent-Replayed: true`); the same key with a different body answers "
    "422 `idempotency_key_reused`; while the first request is still running, 409 `idempotency_key_in_use`. "
    "Keys are kept 24 hours, per credential.",
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the rules DRF's fields do not state themselves: a
    trimmed text field needs a visible character, a decimal a digit, and a body whose
    serializer sets `min_properties` at least that many members."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, InputSerializer):
            schema["additionalProperties"] = False
        minimum = getattr(serializer, "min_properties", None)
        if direction == "request" and minimum:
            schema["minProperties"] = minimum
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and not field.allow_blank
            and field.trim_whitespace
            and schema.get("type") == "string"
            and "pattern" not in schema
        ):
            schema["pattern"] = NOT_ONLY_WHITESPACE
        if (
            direction == "request"
            and isinstance(field, (serializers.ListSerializer, serializers.ListField))
            and not field.allow_empty
        ):
            schema["minItems"] = max(schema.get("minItems", 0), 1)
        if direction == "request" and isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
            # drf-spectacular's pattern lets "" and "." through; the field refuses both.
            whole = (field.max_digits or 20) - (field.decimal_places or 0)
            places = field.decimal_places or 0
            schema["pattern"] = rf"^-?(?:[0-9]{{1,{whole}}}(?:\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})$"
        return schema
