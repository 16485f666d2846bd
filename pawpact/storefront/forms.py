from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.core.money_fields import YuanField
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
    price = YuanField(label=_("Price (¥)"))
    is_listed = forms.BooleanField(label=_("Listed"), required=False, initial=True)
    confirm_below_cost = forms.BooleanField(label=_("Sell below cost"), required=False)


class RefundForm(forms.Form):
    amount = YuanField(label=_("Amount (¥)"))
    # No reason is preselected: a refund stored under a reason nobody chose misleads every report after it.
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *[c for c in RefundReason.choices if c[0] != RefundReason.CANCELLED]],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
