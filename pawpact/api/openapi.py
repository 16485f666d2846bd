"""What the schema says beyond each operation's own serializers: the statuses that
answer in the one error shape, and the `Idempotency-Key` header."""
from drf_spectacular.utils import OpenApiParameter

from pawpact.api.serializers import ErrorSerializer


def error_responses(*codes: int) -> dict[int, type[ErrorSerializer]]:
    return {code: ErrorSerializer for code in codes}


# What a shop's operations may answer besides success.
ERRORS = error_responses(400, 401, 403, 404, 409, 422)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="1–255 characters, unique per operation: a retry with the same key gets the first answer.",
)
