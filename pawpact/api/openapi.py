"""What the schema says beyond each operation's own serializers: the statuses that
answer in the one error shape, the `Idempotency-Key` header, and input rules the
server enforces that DRF's fields do not describe by themselves."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from pawpact.api.serializers import ErrorSerializer

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
    """drf-spectacular's schema, plus the rule every trimmed, non-blank text field applies."""

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
        return schema
