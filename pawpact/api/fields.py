from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"})
class MonthField(serializers.DateField):
    """A month as YYYY-MM (the first day of it)."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m"], format="%Y-%m", **kwargs)
