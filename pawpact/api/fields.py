from rest_framework import serializers


class MonthField(serializers.DateField):
    """A month as YYYY-MM (the first day of it)."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m"], format="%Y-%m", **kwargs)
