"""Form fields for money and rates as the shop types them: yuan with fen, percentages.

Amounts are stored in fen; the shop thinks in yuan ("399" or "399.50"), so a field that
took fen would turn 199 into ¥1.99. These fields parse what the shop types and clean to
what the services take: integer fen, or a Decimal rate.
"""
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

FEN_PER_YUAN = 100


def fen_to_yuan(amount_minor: int | None) -> Decimal | None:
    """Fen as a yuan Decimal for a form's initial value (39900 → 399.00)."""
    if amount_minor is None:
        return None
    return (Decimal(amount_minor) / FEN_PER_YUAN).quantize(Decimal("0.01"))


class YuanField(forms.DecimalField):
    """An amount in yuan with at most two decimals; cleaned to integer fen."""

    default_error_messages = {
        "invalid": _("Enter an amount in yuan, such as 399 or 399.50."),
        "max_decimal_places": _("Use at most 2 decimals (fen)."),
        "max_digits": _("This amount is too large."),
        "max_whole_digits": _("This amount is too large."),
        "positive": _("Enter an amount above zero."),
        "negative": _("The amount cannot be negative."),
    }

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "ws-yuan"}))
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_python(self, value):
        # What people type around a price: "¥1,299", "399元", full-width signs.
        if isinstance(value, str):
            value = value.strip().lstrip("¥￥").removesuffix("元").replace(",", "").replace("，", "").strip()
        return super().to_python(value)

    def widget_attrs(self, widget):
        # Not a number input: the browser would reject "399.999" on its own, in its own
        # words; the shop gets this field's message instead.
        return {}

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        if amount < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if amount == 0 and not self.allow_zero:
            raise forms.ValidationError(self.error_messages["positive"], code="positive")
        return int(amount * FEN_PER_YUAN)


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
