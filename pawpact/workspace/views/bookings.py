"""预约 Bookings: the day calendar per resource, one booking with its actions (check in,
no-show, cancel, reschedule after a confirmation), booking at the counter and the
filtered list with its exports."""
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care.benefits import BenefitRequest, benefit_preview
from pawpact.care.booking_views import uuid_or_none
from pawpact.care.enums import BenefitSource, BookingStatus
from pawpact.care.models import Booking, Resource, ServiceType
from pawpact.care.selectors import local_at, slots_available
from pawpact.care.services import bookings as booking_services
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.customers.models import Customer
from pawpact.workspace.care_forms import RescheduleForm
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.care import booking_search, calendar_day
from pawpact.workspace.views.care_tables import BOOKING_COLUMNS
from pawpact.workspace.views.frame import workspace_view

LIST_LIMIT = 200


def _day(value: str | None) -> date:
    return parse_date(value or "") or default_clock.today()


def error_text(error: DomainError) -> str:
    details = [message for field in error.fields.values() for message in field]
    return sentences_join(dict.fromkeys([error.message, *details]))


@workspace_view(section="bookings")
def booking_calendar(request):
    """The day's bookings, a column per resource; today unless ?day= says otherwise."""
    calendar = calendar_day(day=_day(request.GET.get("day")))
    context = {"calendar": calendar, "today": default_clock.today(), "may_book": role_allows(request.workspace_role, Action.BOOK),
               "may_edit": role_allows(request.workspace_role, Action.CARE_EDIT)}  # fmt: skip
    return render(request, "workspace/bookings/calendar.html", context)


@workspace_view(section="bookings")
def booking_list(request):
    filters = {key: request.GET.get(key, "").strip() for key in ("status", "resource", "service", "q")}
    day_from, day_to = parse_date(request.GET.get("from", "")), parse_date(request.GET.get("to", ""))
    found = booking_search(status=filters["status"], resource=filters["resource"], service=filters["service"],
                           day_from=day_from, day_to=day_to, query=filters["q"])  # fmt: skip
    if request.GET.get("export"):
        return export_response(request, found, BOOKING_COLUMNS, name="bookings")
    query = request.GET.copy()
    query.pop("export", None)
    context = {"bookings": found[:LIST_LIMIT], "filters": filters, "day_from": day_from, "day_to": day_to,
               "statuses": BookingStatus.choices, "resources": Resource.objects.all(), "services": ServiceType.objects.all(),
               "query": query.urlencode(), "limit": LIST_LIMIT}  # fmt: skip
    return render(request, "workspace/bookings/list.html", context)


def _detail(request, booking: Booking, *, form=None, proposal=None, status: int = 200):
    now = default_clock.now()
    local = timezone.localtime(booking.starts_at)
    context = {
        "booking": booking,
        "form": form or RescheduleForm(initial={"day": local.date(), "at": local.time(), "resource": booking.resource}),
        "proposal": proposal,
        "may_book": role_allows(request.workspace_role, Action.BOOK),
        "is_open": booking.status == BookingStatus.BOOKED,
        "has_started": booking.starts_at <= now,
        "complaints": booking.complaints.all(),
    }
    return render(request, "workspace/bookings/detail.html", context, status=status)


def _booking(uuid) -> Booking:
    return get_object_or_404(Booking.objects.select_related("customer", "pet", "service", "resource", "contract", "period"), uuid=uuid)


@workspace_view(section="bookings")
def booking_detail(request, uuid):
    return _detail(request, _booking(uuid))


ACTIONS = {
    "check_in": lambda booking, request: booking_services.booking_complete(booking=booking, collected=request.POST.get("collected") == "on"),
    "no_show": lambda booking, request: booking_services.booking_no_show(booking=booking),
    "cancel": lambda booking, request: booking_services.booking_cancel(booking=booking, by_staff=True),
}  # fmt: skip
DONE = {"check_in": _("Checked in: the service is recorded as done."), "no_show": _("Recorded as a no-show."),
        "cancel": _("Booking cancelled; the slot is free again.")}  # fmt: skip


@require_POST
@workspace_view(Action.BOOK, section="bookings")
def booking_action(request, uuid, action: str):
    booking = _booking(uuid)
    if action not in ACTIONS:
        return redirect("workspace:booking_detail", uuid=booking.uuid)
    try:
        ACTIONS[action](booking, request)
    except DomainError as error:
        messages.error(request, error_text(error))
        return _detail(request, booking, status=error.http_status)
    messages.success(request, DONE[action])
    return redirect("workspace:booking_detail", uuid=booking.uuid)


@require_POST
@workspace_view(Action.BOOK, section="bookings")
def booking_reschedule(request, uuid):
    """First post: show the move for confirmation; with `confirm`: move it."""
    booking = _booking(uuid)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, form=form, status=400)
    starts_at = local_at(form.cleaned_data["day"], form.cleaned_data["at"])
    resource = form.cleaned_data["resource"]
    if starts_at <= default_clock.now():
        # Refused before the preview too: a preview of a past move reads as if it could happen.
        form.add_error("day", _("Choose a time in the future."))
        return _detail(request, booking, form=form, status=400)
    if request.POST.get("confirm") != "yes":
        preview = benefit_preview(request=BenefitRequest(customer=booking.customer, pet=booking.pet, service_kind=booking.service.kind,
                                                         price_minor=booking.price_minor, starts_at=starts_at, booking_id=booking.pk))  # fmt: skip
        proposal = {"starts_at": starts_at, "ends_at": starts_at + (booking.ends_at - booking.starts_at), "resource": resource,
                    "source_label": BenefitSource(preview.source).label, "due_minor": booking.price_minor - preview.covered_minor}  # fmt: skip
        return _detail(request, booking, form=form, proposal=proposal)
    try:
        booking_services.booking_reschedule(booking=booking, starts_at=starts_at, resource=resource, by_staff=True)
    except DomainError as error:
        messages.error(request, error_text(error))
        return _detail(request, booking, form=form, status=error.http_status)
    messages.success(request, _("Booking moved."))
    return redirect("workspace:booking_detail", uuid=booking.uuid)


def _counter_context(request) -> dict:
    """The counter booking's choices so far: customer → pet, service, day → free slots and what pays."""
    query = request.GET.get("q", "").strip()
    customer = Customer.objects.filter(uuid=uuid_or_none(request.GET.get("customer"))).first()
    context: dict = {"q": query, "customer": customer, "services": ServiceType.objects.filter(is_active=True)}
    if customer is None:
        context["matches"] = Customer.objects.filter(name__icontains=query) | Customer.objects.filter(phone__icontains=query) if query else []
        return context
    pets = list(customer.pets.all())
    pet = next((p for p in pets if p.uuid == uuid_or_none(request.GET.get("pet"))), None)
    service = ServiceType.objects.filter(is_active=True, uuid=uuid_or_none(request.GET.get("service"))).first()
    day = _day(request.GET.get("day"))
    context.update({"pets": pets, "pet": pet, "service": service, "day": day})
    if pet and service:
        slots = slots_available(service=service, day_from=day, day_to=day, now=default_clock.now())
        names = {r.pk: r.name for r in Resource.objects.filter(pk__in={s.resource_id for s in slots})}
        context["slots"] = [{"resource": names[s.resource_id], "resource_id": s.resource_id, "starts_at": s.starts_at} for s in slots]
        claim = benefit_preview(request=BenefitRequest(customer=customer, pet=pet, service_kind=service.kind,
                                                       price_minor=service.price_minor, starts_at=local_at(day, datetime.min.time()) + timedelta(hours=12)))  # fmt: skip
        context.update({"source_label": BenefitSource(claim.source).label, "due_minor": service.price_minor - claim.covered_minor})
    return context


@workspace_view(Action.BOOK, section="bookings")
def booking_new(request):
    """Book at the counter. The slot comes as "<resource id>|<ISO start>" from the free slots shown."""
    context = _counter_context(request)
    if request.method != "POST":
        return render(request, "workspace/bookings/new.html", context)
    customer, pet, service = context.get("customer"), context.get("pet"), context.get("service")
    resource_id, _sep, start_text = request.POST.get("slot", "").partition("|")
    resource = Resource.objects.filter(pk=int(resource_id)).first() if resource_id.isdigit() else None
    starts_at = _parse_start(start_text)
    if None in (customer, pet, service, resource, starts_at):
        context["error"] = _("Choose the customer, pet, service and a free slot.")
        return render(request, "workspace/bookings/new.html", context, status=400)
    try:
        booking = booking_services.booking_create(customer=customer, pet=pet, service=service, resource=resource,
                                                  starts_at=starts_at, note=request.POST.get("note", "")[:255], created_by=request.user)  # fmt: skip
    except DomainError as error:
        context["error"] = error_text(error)
        return render(request, "workspace/bookings/new.html", context, status=error.http_status)
    messages.success(request, _("Booked."))
    return redirect("workspace:booking_detail", uuid=booking.uuid)


def _parse_start(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else None
