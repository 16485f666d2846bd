"""A partner's weekly opening hours, edited by the partner in its portal or by a platform admin
in the console: one line per weekday, several ranges allowed, blank for closed."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.partners.hours import DAYS, day_text
from pawpact.partners.models import Partner
from pawpact.partners.portal import partner_hours_update
from pawpact.platform.partner_portal_views import partner_member_required
from pawpact.platform.partner_views import _form_errors


class HoursForm(forms.Form):
    open_24h = forms.BooleanField(label=gettext_lazy("Open 24 hours, every day"), required=False)
    hours_note = forms.CharField(label=gettext_lazy("Note on the hours"), max_length=120, required=False,
                                 help_text=gettext_lazy("e.g. closed on public holidays"))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(DAYS):
            self.fields[f"day_{index}"] = forms.CharField(
                label=WEEKDAYS[index], required=False, max_length=120,
                widget=forms.TextInput(attrs={"placeholder": "09:00–12:00, 14:00–18:00"}),
            )  # fmt: skip
        self.order_fields([*(f"day_{index}" for index in range(DAYS)), "open_24h", "hours_note"])


def _initial(partner: Partner) -> dict:
    week = partner.weekly_hours if len(partner.weekly_hours) == DAYS else [[]] * DAYS
    return {"open_24h": partner.open_24h, "hours_note": partner.hours_note,
            **{f"day_{index}": day_text(ranges) for index, ranges in enumerate(week)}}  # fmt: skip


def _page(request, partner: Partner, *, template: str, done: str):
    form = HoursForm(request.POST or None, initial=_initial(partner))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner_hours_update(partner=partner, days=[data[f"day_{index}"] for index in range(DAYS)],
                                 open_24h=data["open_24h"], note=data["hours_note"])  # fmt: skip
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect(done)
    return render(request, template, {"partner": partner, "form": form}, status=400 if form.errors else 200)


@staff_required
def console_partner_hours(request, partner_id: int):
    partner = get_object_or_404(Partner, pk=partner_id)
    return _page(request, partner, template="platform/partners/hours.html", done=request.path)


@partner_member_required
def partner_hours_page(request, partner: Partner):
    return _page(request, partner, template="platform/partner_portal/hours.html", done=request.path)
