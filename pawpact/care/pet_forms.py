"""Forms of the pet pages: weights in kilograms and fees in yuan, stored as grams and fen."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.care.pet_enums import HealthRecordKind, Housing
from pawpact.core.widgets import IsoDateInput

DATE = IsoDateInput()


class WeightForm(forms.Form):
    measured_on = forms.DateField(label=_("Date"), widget=DATE)
    weight_kg = forms.CharField(label=_("Weight (kg)"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=HealthRecordKind.choices)
    done_on = forms.DateField(label=_("Date"), widget=DATE)
    product = forms.CharField(label=pgettext_lazy("vaccine or medicine", "Product"), max_length=120, required=False)
    next_due = forms.DateField(label=_("Next due"), required=False, widget=DATE)
    clinic = forms.CharField(label=_("Clinic or vet"), max_length=120, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class ClaimForm(forms.Form):
    condition = forms.ChoiceField(label=_("Condition"))
    diagnosed_on = forms.DateField(label=_("Diagnosed on"), widget=DATE)
    evidence = forms.FileField(label=_("Vet's diagnosis (photo or PDF)"), required=False)
    note = forms.CharField(label=pgettext_lazy("incident", "What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, conditions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["condition"].choices = [(c, c) for c in conditions]


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=80)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    email = forms.EmailField(label=_("Email"), required=False)
    housing = forms.ChoiceField(label=_("Housing"), choices=Housing.choices)
    experience = forms.CharField(
        label=_("Experience with pets"),
        help_text=_("A sentence or two: at least 10 letters or 5 Chinese characters."),
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_experience-help"}),
    )
    message = forms.CharField(label=_("Message to the shop"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(
        label=_("I agree that the shop contacts me and keeps these details for this adoption."), required=False
    )


def errors_apply(form: forms.Form, error) -> None:
    """A service's refusal shown on the form: on its field where the form has one."""
    aliases = {"weight_kg": "weight_kg", "measured_on": "measured_on", "pet": None, "fee": "fee_yuan"}
    for field, problems in error.fields.items():
        target = aliases.get(field, field)
        for problem in problems:
            form.add_error(target if target in form.fields else None, problem)
    if not error.fields:
        form.add_error(None, error.message)
