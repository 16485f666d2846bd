from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.storefront.enums import ReshipReason
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
        try:
            value = Decimal(self.cleaned_data["price"].replace(",", "").replace("¥", "").strip())
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 129 or 129.90.")) from None
        if value != value.quantize(Decimal("0.01")) or value <= 0:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 129 or 129.90."))
        return int(value * 100)
