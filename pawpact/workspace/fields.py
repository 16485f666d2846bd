"""Form fields for money and rates as the shop types them: yuan with fen, percentages.

The yuan field lives in pawpact.core.money_fields (the order and console pages use it
too); percentages are the workspace's own.
"""
from decimal import Decimal

from django import forms

from pawpact.core.money_fields import FEN_PER_YUAN, YuanField, fen_to_yuan

__all__ = ["FEN_PER_YUAN", "PercentField", "YuanField", "fen_to_yuan", "rate_to_percent"]


class PercentField(forms.DecimalField):
    """A percentage ("8" or "8.5"); cleaned to a rate (Decimal("0.085"))."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("%").removesuffix("％").strip()
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {}

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else (percent / 100).quantize(Decimal("0.001"))


def rate_to_percent(rate: Decimal | None) -> Decimal | None:
    """A stored rate as the percentage the shop typed (Decimal("0.085") → 8.5)."""
    if rate is None:
        return None
    percent = Decimal(rate) * 100
    return percent.quantize(Decimal("1")) if percent == percent.to_integral() else percent.quantize(Decimal("0.1"))
