"""Service partners in the platform console: the list (state filter, XLSX/CSV), the
onboarding form with the licence upload, and a partner's page: licence, service-standard
check, ratings chart, rectification history, monthly clearing statement, and the
list / delist / relist actions (delist and relist ask for confirmation first)."""

import csv
import io
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.months import month_start
from pawpact.partners.enums import PartnerKind, PartnerService, PartnerState, StandardItem
from pawpact.partners.models import Partner
from pawpact.partners.selectors import clearing_statement, partner_list, rating_months, standings_attach
from pawpact.partners.services import (
    partner_delist,
    partner_onboard,
    partner_publish,
    partner_relist,
    partner_verify,
    rating_standing,
)
from pawpact.platform.kpis.charts import Series, line_chart
from pawpact.platform.partner_payout import partner_payout_account_of, payments_held

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OnboardForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PartnerKind.choices)
    name = forms.CharField(label=pgettext_lazy("partner", "Name"), max_length=120)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40)
    address = forms.CharField(label=pgettext_lazy("street", "Address"), max_length=255)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), help_text=gettext_lazy("−90 to 90, e.g. 31.2304"))
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), help_text=gettext_lazy("−180 to 180, e.g. 121.4737"))
    services = forms.MultipleChoiceField(label=gettext_lazy("Services"), choices=PartnerService.choices,
                                         widget=forms.CheckboxSelectMultiple)  # fmt: skip
    open_24h = forms.BooleanField(label=gettext_lazy("Open 24 hours"), required=False)
    entitlement_price = forms.DecimalField(
        label=gettext_lazy("Price per redeemed entitlement (¥)"), min_value=Decimal(0), max_digits=10,
        decimal_places=2, initial=0, help_text=gettext_lazy("What a shop pays this partner when a customer uses a plan entitlement there."),
    )  # fmt: skip
    licence_number = forms.CharField(label=gettext_lazy("Licence number"), max_length=60)
    licence_file = forms.FileField(label=gettext_lazy("Licence document"),
                                   help_text=gettext_lazy("PDF, PNG or JPEG, at most 5 MB."))  # fmt: skip


class ChecklistForm(forms.Form):
    checklist = forms.MultipleChoiceField(label=gettext_lazy("Service standard"), choices=StandardItem.choices,
                                          widget=forms.CheckboxSelectMultiple, required=False)  # fmt: skip


class ConfirmForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


def _form_errors(form: forms.Form, error: DomainError) -> None:
    # The summary above the form only when no field repeats it word for word.
    if error.message not in [str(problem) for problems in (error.fields or {}).values() for problem in problems]:
        form.add_error(None, error.message)
    for field, problems in (error.fields or {}).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, str(problem))


def _average_text(value) -> str:
    return _("no data") if value is None else f"{Decimal(value):.2f}"


def _export(request, partners):
    headers = [_("Partner"), _("Kind"), _("State"), _("Phone"), pgettext("street", "Address"), _("Latitude"), _("Longitude"),
               _("Customers rating (rule window)"), _("Rolling average stars"), _("All ratings"),
               _("Price per redeemed entitlement (¥)")]  # fmt: skip
    rows = [[p.name, p.get_kind_display(), p.get_state_display(), p.phone, p.address, p.latitude, p.longitude,
             p.standing_customers, _average_text(p.standing_average), p.rating_count,
             Decimal(p.entitlement_price_minor) / 100]
            for p in standings_attach(partners, now=default_clock.now())]  # fmt: skip
    stamp = default_clock.today().isoformat()
    if request.GET.get("export") == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # a BOM, so Excel opens Chinese text as UTF-8
        csv.writer(out).writerows([headers, *rows])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="partners-{stamp}.csv"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="partners")
    for row in [headers, *rows]:
        sheet.append([str(cell) if not isinstance(cell, int | float | Decimal) else cell for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="partners-{stamp}.xlsx"'
    return response


@staff_required
def console_partners(request):
    state = request.GET.get("state", "")
    state = state if state in PartnerState.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in PartnerKind.values else ""
    query = request.GET.get("q", "").strip()[:60]
    partners = partner_list(state=state, kind=kind, query=query)
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request, partners)
    return render(request, "platform/partners/list.html", {
        "partners": standings_attach(partners[:500], now=default_clock.now()),
        "states": PartnerState.choices, "kinds": PartnerKind.choices,
        "state": state, "kind": kind, "query": query, "filters": request.GET.urlencode(),
    })  # fmt: skip


@staff_required
def console_partner_new(request):
    form = OnboardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        price = data.pop("entitlement_price")
        try:
            partner = partner_onboard(**data, entitlement_price_minor=int(price * 100))
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Application recorded. Check the licence and the service standard next."))
            return redirect("console_partner", partner_id=partner.pk)
    return render(request, "platform/partners/new.html", {"form": form})


def _ratings_chart(partner: Partner):
    months = rating_months(partner=partner, today=default_clock.today())
    return line_chart(
        title=_("Average stars by month"), labels=[month.strftime("%Y-%m") for month, _a, _n in months],
        series=[Series(_("Average stars"), [average for _m, average, _n in months])],
        target=4, target_label=_("Rectification below 4"), ceiling=5,
    )  # fmt: skip


@staff_required
def console_partner(request, partner_id: int):
    partner = get_object_or_404(partner_list(), pk=partner_id)
    form = ChecklistForm(request.POST if request.method == "POST" else None, initial={"checklist": partner.checklist})
    if request.method == "POST" and form.is_valid():
        try:
            if partner.state == PartnerState.APPLIED:
                partner_verify(partner=partner, checklist=form.cleaned_data["checklist"])
                messages.success(request, _("Verified. List the partner to make it bookable."))
            else:
                partner_publish(partner=partner)
                messages.success(request, _("Listed: shops can book it and customers find it."))
        except DomainError as error:
            _form_errors(form, error)
        else:
            return redirect("console_partner", partner_id=partner.pk)
    month = month_start(default_clock.today())
    return render(request, "platform/partners/detail.html", {
        "partner": partner, "form": form, "chart": _ratings_chart(partner),
        "standing": rating_standing(partner=partner, now=default_clock.now()),
        "ratings": partner.ratings.select_related("shop")[:20], "changes": partner.changes.all()[:50],
        "statement": clearing_statement(month=month, partner_id=partner.pk), "month": month,
        "payout_account": partner_payout_account_of(partner_id=partner.pk), "held": payments_held(partner_id=partner.pk),
    })  # fmt: skip


@staff_required
def console_partner_licence(request, partner_id: int):
    partner = get_object_or_404(Partner, pk=partner_id)
    if not partner.licence_file:
        raise Http404
    return FileResponse(partner.licence_file.open("rb"), filename=partner.licence_file.name.rsplit("/", 1)[-1])


@staff_required
def console_partner_state(request, partner_id: int, action: str):
    """Delist or relist, after a confirmation page that asks for the reason."""
    partner = get_object_or_404(Partner, pk=partner_id)
    if action not in ("delist", "relist"):
        raise Http404
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = partner_delist if action == "delist" else partner_relist
        try:
            service(partner=partner, note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Delisted.") if action == "delist" else _("Listed again."))
        return redirect("console_partner", partner_id=partner.pk)
    return render(request, "platform/partners/confirm.html", {"partner": partner, "form": form, "action": action})
