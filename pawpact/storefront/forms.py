from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.storefront.enums import RefundReason, ReshipReason
from pawpact.storefront.models import ShippingAddress


class AddressForm(forms.ModelForm):
    class Meta:
        model = ShippingAddress
        fields = ["name", "phone", "province", "city", "district", "address"]


class ReshipForm(forms.Form):
    reason = forms.ChoiceField(label=pgettext_lazy("incident", "What happened"), choices=ReshipReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PriceForm(forms.Form):
    """A price typed in yuan (two decimals), kept in fen."""

    sku = forms.CharField(widget=forms.HiddenInput)
    price = forms.CharField(label=_("Price (¥)"), max_length=12)
    is_listed = forms.BooleanField(label=_("Listed"), required=False, initial=True)
    confirm_below_cost = forms.BooleanField(label=_("Sell below cost"), required=False)

    def clean_price(self) -> int:
        return yuan_to_fen(self.cleaned_data["price"])


def yuan_to_fen(text: str) -> int:
    """A positive amount typed in yuan (at most two decimals), in fen."""
    try:
        value = Decimal(text.replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        raise forms.ValidationError(_("Enter an amount in yuan, such as 129 or 129.90.")) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or value <= 0:
        raise forms.ValidationError(_("Enter an amount in yuan, such as 129 or 129.90."))
    return int(value * 100)


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount (¥)"), max_length=12)
    reason = forms.ChoiceField(label=_("Reason"), choices=[c for c in RefundReason.choices if c[0] != RefundReason.CANCELLED])
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def clean_amount(self) -> int:
        return yuan_to_fen(self.cleaned_data["amount"])
