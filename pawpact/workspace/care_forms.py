"""Forms of the booking pages: services (price in yuan), resources with weekly hours, days
off, a booking's new time. They clean to what pawpact.care's services take."""
import re
from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.core.widgets import IsoDateInput, IsoTimeInput
from pawpact.care.enums import ServiceKind
from pawpact.care.models import Resource, ServiceType
from pawpact.workspace.fields import YuanField

WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


class ServiceForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("care", "Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=1440)
    price = YuanField(label=_("Price (yuan)"), allow_zero=True, min_value=0)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


def _window(text: str) -> tuple[time, time]:
    match = WINDOW.match(text)
    if match is None:
        raise forms.ValidationError(_("Write windows like 09:00-12:00, 13:00-18:00."))
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise forms.ValidationError(_("Write windows like 09:00-12:00, 13:00-18:00."))
    return time(h1, m1), time(h2, m2)


class ResourceForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("care", "Name"), max_length=80)
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=ServiceType.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Takes bookings"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, label in enumerate(WEEKDAYS):
            self.fields[f"hours_{weekday}"] = forms.CharField(
                label=label, required=False, max_length=120, help_text=_("Empty: closed. E.g. 09:00-12:00, 13:00-18:00")
            )

    def clean(self):
        cleaned = super().clean()
        hours = []
        for weekday in range(7):
            text = (cleaned.get(f"hours_{weekday}") or "").strip()
            for part in filter(None, (piece.strip() for piece in text.split(","))):
                try:
                    opens, closes = _window(part)
                except forms.ValidationError as error:
                    self.add_error(f"hours_{weekday}", error)
                    break
                hours.append((weekday, opens, closes))
        cleaned["hours"] = hours
        return cleaned

    @staticmethod
    def initial_for(resource: Resource) -> dict:
        initial = {"name": resource.name, "services": list(resource.services.all()), "is_active": resource.is_active}
        for weekday in range(7):
            windows = [h for h in resource.hours.all() if h.weekday == weekday]
            initial[f"hours_{weekday}"] = ", ".join(f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in windows)
        return initial


class DayOffForm(forms.Form):
    day = forms.DateField(label=_("Day off"), widget=IsoDateInput())
    reason = forms.CharField(label=_("Reason"), max_length=120, required=False)


class RescheduleForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=IsoDateInput())
    at = forms.TimeField(label=_("Time"), widget=IsoTimeInput(attrs={"step": 1800}))
    resource = forms.ModelChoiceField(label=_("With"), queryset=Resource.objects.filter(is_active=True))
