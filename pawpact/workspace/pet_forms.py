"""Staff forms of the pets section: fees entered in yuan (stored in fen), weights in kilograms."""
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pawpact.care.pet_models import GuaranteeClaim
from pawpact.core.widgets import IsoDateInput
from pawpact.customers.enums import Sex
from pawpact.customers.models import Pet

DATE = IsoDateInput()


class PetProfileForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DATE)
    adoption_date = forms.DateField(label=_("Adoption date"), required=False, widget=DATE)
    allergies = forms.CharField(label=_("Allergies"), max_length=255, required=False)
    microchip = forms.CharField(label=_("Microchip number"), max_length=32, required=False)


class ListingForm(forms.Form):
    pet = forms.ModelChoiceField(label=_("Pet"), queryset=Pet.objects.none())
    headline = forms.CharField(label=_("Headline"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    health_checks = forms.CharField(label=_("Health checks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    fee_yuan = forms.DecimalField(label=_("Adoption fee (¥)"), min_value=Decimal(0), max_digits=9, decimal_places=2, initial=0)
    suggested_plan = forms.ModelChoiceField(label=_("Suggested plan"), queryset=None, required=False)

    def __init__(self, *args, pets, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pet"].queryset = pets
        self.fields["suggested_plan"].queryset = plans

    def values(self) -> dict:
        data = self.cleaned_data
        return {"headline": data["headline"], "description": data["description"], "health_checks": data["health_checks"],
                "fee_minor": int(data["fee_yuan"] * 100), "suggested_plan": data["suggested_plan"]}


class ApproveForm(forms.Form):
    birth_date = forms.DateField(
        label=_("Applicant's date of birth"), required=False, widget=DATE,
        help_text=_("Needed only when the applicant is not a customer yet."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=200)


class ClaimDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("refund", _("Refund (plan ended)")), ("replacement", _("Replacement pet"))])
    replacement_pet = forms.ModelChoiceField(label=_("Replacement pet"), queryset=Pet.objects.none(), required=False)
    note = forms.CharField(label=_("Note to the customer"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement_pet"].queryset = Pet.objects.filter(owner__isnull=True).order_by("name")


class GuaranteeSettingsForm(forms.Form):
    window_days = forms.IntegerField(label=_("Guarantee window (days from adoption)"), min_value=1, max_value=365)
    conditions = forms.CharField(label=_("Covered conditions, one per line"), widget=forms.Textarea(attrs={"rows": 4}))


def claim_is_open(claim: GuaranteeClaim) -> bool:
    return claim.status == "submitted"
