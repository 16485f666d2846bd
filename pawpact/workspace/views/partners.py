"""服务伙伴: the platform's listed clinics and groomers a shop can send its customers to,
and the shop's bookings with them (its own only), with XLSX/CSV exports.

A booking may redeem the customer's plan entitlement: then the shop owes the partner the
partner's agreed price, cleared through the platform when the booking is completed.
"""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.billing.enums import ContractStatus
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.core.widgets import IsoTimeInput
from pawpact.core.months import month_start
from pawpact.customers.models import Pet
from pawpact.care.services.partner_redemptions import partner_visit_book
from pawpact.partners.bookings import partner_booking_cancel, partner_booking_complete
from pawpact.partners.enums import BookingStatus, PartnerKind, PartnerService
from pawpact.partners.models import Partner
from pawpact.partners.selectors import bookable_partners, clearing_statement, shop_bookings, standings_attach
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local, yuan
from pawpact.workspace.forms import DateInput, form_errors_apply
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import forbidden, workspace_view


def _label(choices):
    return lambda value: str(choices(value).label) if value in choices.values else value


BOOKING_COLUMNS = [
    column(gettext_lazy("Appointment"), "scheduled_at", show=local),
    column(gettext_lazy("Partner"), "partner__name"),
    column(pgettext_lazy("partner service", "Service"), "service", show=_label(PartnerService)),
    column(gettext_lazy("Customer"), "customer_name"),
    column(gettext_lazy("Pet"), "pet_name"),
    column(gettext_lazy("Plan entitlement"), "with_entitlement", show=lambda v: _("Yes") if v else _("No")),
    column(gettext_lazy("Owed to the partner (¥)"), "price_minor", show=yuan),
    column(gettext_lazy("Status"), "status", show=_label(BookingStatus)),
]


class BookingForm(forms.Form):
    pet = forms.ModelChoiceField(label=gettext_lazy("Pet"), queryset=Pet.objects.none())
    service = forms.ChoiceField(label=pgettext_lazy("partner service", "Service"))
    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    at = forms.TimeField(label=gettext_lazy("Time"), widget=IsoTimeInput())
    note = forms.CharField(label=gettext_lazy("Note for the partner"), max_length=255, required=False)
    with_entitlement = forms.BooleanField(
        label=gettext_lazy("Redeem the customer's plan entitlement"), required=False,
        help_text=gettext_lazy("The shop pays the partner the agreed price; the customer pays nothing."),
    )  # fmt: skip

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PartnerService.choices)
        self.fields["service"].choices = [(s, labels.get(s, s)) for s in partner.services]
        self.fields["pet"].queryset = (
            Pet.objects.filter(owner__isnull=False).select_related("owner").order_by("owner__name", "name")
        )
        self.fields["pet"].label_from_instance = lambda pet: f"{pet.name} · {pet.owner.name} ({pet.owner.phone})"

    def clean(self):
        data = super().clean()
        pet = data.get("pet")
        if data.get("with_entitlement") and pet is not None:
            has_plan = pet.owner.contracts.filter(status=ContractStatus.ACTIVE).exists()
            if not has_plan:
                self.add_error("with_entitlement", _("This customer has no plan in force."))
        return data


@workspace_view(section="partners")
def partners(request):
    rows = shop_bookings(shop_id=request.tenant.pk)
    status = request.GET.get("status", "")
    if status in BookingStatus.values:
        rows = rows.filter(status=status)
    if request.GET.get("export"):
        return export_response(request, rows, BOOKING_COLUMNS, name="partner-bookings")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workspace/partners/bookings.html", {
        "page": Paginator(rows, 25).get_page(request.GET.get("page")), "query": query.urlencode(),
        "status": status, "statuses": BookingStatus.choices,
        "may_act": role_allows(request.workspace_role, Action.CUSTOMER_EDIT),
        "month": month_start(default_clock.today()), "now": default_clock.now(),
        "statement": clearing_statement(month=default_clock.today(), shop_id=request.tenant.pk),
    })  # fmt: skip


@workspace_view(section="partners")
def partner_find(request):
    kind = request.GET.get("kind", "") if request.GET.get("kind") in PartnerKind.values else ""
    service = request.GET.get("service", "") if request.GET.get("service") in PartnerService.values else ""
    found = bookable_partners(kind=kind, service=service, query=request.GET.get("q", "").strip()[:60])
    return render(request, "workspace/partners/find.html", {
        "partners": standings_attach(found[:100], now=default_clock.now()),
        "kinds": PartnerKind.choices, "services": PartnerService.choices,
        "filters": request.GET,
    })  # fmt: skip


def _partner_unavailable(request, partner_id: int):
    # A bookmarked or shared booking page of a partner since delisted says why, not a bare 404.
    partner = get_object_or_404(Partner.objects.only("name", "state"), pk=partner_id)
    return render(request, "workspace/partners/unavailable.html", {"partner": partner}, status=409)


def _booking_errors_apply(form: forms.Form, error: DomainError) -> None:
    # The service names the appointment `scheduled_at`; the form asks for it as a day and a time.
    if "scheduled_at" in error.fields:
        error.fields = {("day" if name == "scheduled_at" else name): problems for name, problems in error.fields.items()}
    form_errors_apply(form, error)


@workspace_view(Action.CUSTOMER_EDIT, section="partners")
def partner_book(request, partner_id: int):
    partner = bookable_partners().filter(pk=partner_id).first()
    if partner is None:
        return _partner_unavailable(request, partner_id)
    form = BookingForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner_visit_book(
                shop=request.tenant, partner_id=partner.pk, pet=data["pet"], service=data["service"], note=data["note"],
                scheduled_at=timezone.make_aware(datetime.combine(data["day"], data["at"] or time(9))),
                with_entitlement=data["with_entitlement"],
            )  # fmt: skip
        except DomainError as error:
            _booking_errors_apply(form, error)
        else:
            messages.success(request, _("Booking sent to %(name)s.") % {"name": partner.name})
            return redirect("workspace:partners")
    return render(request, "workspace/partners/book.html", {"partner": partner, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@workspace_view(Action.CUSTOMER_EDIT, section="partners")
@require_POST
def partner_booking_act(request, booking_id: int, action: str):
    act = {"complete": partner_booking_complete, "cancel": partner_booking_cancel}.get(action)
    if act is None:
        return forbidden(request)
    try:
        act(shop=request.tenant, booking_id=booking_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Booking completed.") if action == "complete" else _("Booking cancelled."))
    return redirect("workspace:partners")
