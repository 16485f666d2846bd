"""Money as people type it: yuan with fen, kept as integer fen.

Amounts are stored in fen; people think in yuan ("399" or "399.50"), so a field that
took fen would turn 199 into ¥1.99. Every form taking an amount (the workspace's, the
order pages', the console's) uses `YuanField`, so an amount reads the same everywhere.
"""
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

FEN_PER_YUAN = 100
# A comma is a thousands separator only where it groups three digits ("1,250.00"):
# "12,50" is a decimal comma in much of the world and would otherwise be read as ¥1,250.
THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


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
        "comma": _("Use a point for fen, such as 12.50; a comma only separates thousands, as in 1,250.00."),
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
            value = value.strip().lstrip("¥￥").removesuffix("元").replace("，", ",").strip()
            if "," in value:
                if not THOUSANDS.fullmatch(value):
                    raise forms.ValidationError(self.error_messages["comma"], code="comma")
                value = value.replace(",", "")
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
