"""The workspace's forms. They only parse and show input: every write is a service call,
whose domain errors come back onto the fields (form_errors_apply)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from pawpact.billing.services.signing import is_adult
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.core.widgets import IsoDateInput
from pawpact.customers.enums import Species


DateInput = IsoDateInput


def form_errors_apply(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to the fields it names (else above the form)."""
    placed = False
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed or error.message not in sum(error.fields.values(), []):
        form.add_error(None, error.message)


class CustomerCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=32, help_text=_("The signing code is sent to this number.")
    )
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput, help_text=_("Adopters must be 18 or older."))
    id_checked = forms.BooleanField(
        label=_("I have checked the customer's ID card against these details"), required=False
    )

    def clean_birth_date(self):
        # Said at the first step: a minor registered here could never sign, and the phone
        # number, once taken, could not be registered again with the right date.
        birth_date = self.cleaned_data["birth_date"]
        if not is_adult(birth_date=birth_date, on=default_clock.today()):
            raise forms.ValidationError(_("Adopters must be 18 or older: check the date on the ID card."))
        return birth_date


class PetCreateForm(forms.Form):
    name = forms.CharField(label=_("Pet's name"), max_length=80)
    species = forms.ChoiceField(label=_("Species"), choices=Species.choices)
    breed = forms.CharField(label=_("Breed"), max_length=80, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DateInput)


class CreditOverrideForm(forms.Form):
    score = forms.IntegerField(label=_("Credit score"), min_value=350, max_value=950)
    reason = forms.CharField(
        label=_("Reason and evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_("Where the score comes from (report number, screenshot…). Kept with your name."),
    )
