"""The customer's booking pages (H5): book (service → pet → day → free slot → confirm, with
what pays), my bookings (upcoming and past; move or cancel until the cut-off).

Every page answers for the logged-in customer's own rows only: another customer's booking
or pet, like another shop's, is a 404."""
import uuid
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care.benefits import BenefitRequest, allowance_used_up, benefit_preview
from pawpact.care.enums import BenefitSource, BookingStatus
from pawpact.care.models import Booking, Resource, ServiceType
from pawpact.care.selectors import bookings_for_customer, local_at, slots_available
from pawpact.care.services import bookings as booking_services
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer

DAYS_SHOWN = 14


def customer_of(request) -> Customer:
    customer = Customer.objects.filter(user=request.user).first()
    if customer is None:
        raise Http404
    return customer


def uuid_or_none(value: str | None) -> uuid.UUID | None:
    """A UUID from the query string; anything else matches nothing (filter(uuid=None) finds no row)."""
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def error_text(error: DomainError) -> str:
    details = [message for field in error.fields.values() for message in field]
    return " ".join(dict.fromkeys([error.message, *details]))


def _choice(request, customer: Customer) -> dict:
    """What the customer picked so far, from the query string; unknown or foreign values are dropped."""
    service = ServiceType.objects.filter(is_active=True, uuid=uuid_or_none(request.GET.get("service"))).first()
    pet = customer.pets.filter(uuid=uuid_or_none(request.GET.get("pet"))).first()
    today = default_clock.today()
    day = parse_date(request.GET.get("day", "") or "")
    day = day if day and today <= day <= today + timedelta(days=booking_services.BOOKING_HORIZON_DAYS) else None
    return {"service": service, "pet": pet, "day": day, "today": today}


def _step(choice: dict) -> int:
    return 1 if choice["service"] is None else 2 if choice["pet"] is None else 3 if choice["day"] is None else 4


def _what_pays(customer: Customer, pet, service: ServiceType, starts_at: datetime) -> dict:
    claim = benefit_preview(request=BenefitRequest(customer=customer, pet=pet, service_kind=service.kind,
                                                   price_minor=service.price_minor, starts_at=starts_at))  # fmt: skip
    used_up = None
    if claim.source == BenefitSource.PAID:
        used_up = allowance_used_up(customer=customer, pet=pet, service_kind=service.kind, starts_at=starts_at)
    return {"source_label": _("Paid by you") if claim.source == BenefitSource.PAID else BenefitSource(claim.source).label, "is_covered": claim.covered_minor >= service.price_minor,
            "due_minor": service.price_minor - claim.covered_minor, "allowance_used_up": used_up}  # fmt: skip


def _book_context(request, customer: Customer) -> dict:
    choice = _choice(request, customer)
    context = {"shop": request.tenant, **choice, "step": _step(choice),
               "services": ServiceType.objects.filter(is_active=True, resources__is_active=True).distinct(),
               "pets": customer.pets.all()}  # fmt: skip
    if choice["service"] and choice["pet"]:
        context["days"] = [choice["today"] + timedelta(days=n) for n in range(DAYS_SHOWN)]
    if choice["day"]:
        slots = slots_available(service=choice["service"], day_from=choice["day"], day_to=choice["day"], now=default_clock.now())
        names = dict(Resource.objects.filter(pk__in={s.resource_id for s in slots}).values_list("pk", "name"))
        context["slots"] = [{"value": f"{s.resource_id}|{s.starts_at.isoformat()}", "starts_at": s.starts_at,
                             "resource": names[s.resource_id]} for s in slots]  # fmt: skip
        noon = local_at(choice["day"], time(12))
        context.update(_what_pays(customer, choice["pet"], choice["service"], noon))
    return context


def _slot(text: str) -> tuple[Resource | None, datetime | None]:
    resource_id, _sep, start_text = text.partition("|")
    resource = Resource.objects.filter(pk=int(resource_id)).first() if resource_id.isdigit() else None
    try:
        starts_at = datetime.fromisoformat(start_text)
    except ValueError:
        return resource, None
    return resource, starts_at if starts_at.tzinfo else None


@login_required(login_url="account_login")
def my_book(request):
    customer = customer_of(request)
    context = _book_context(request, customer)
    if request.method != "POST":
        return render(request, "care/my_book.html", context)
    resource, starts_at = _slot(request.POST.get("slot", ""))
    pet = customer.pets.filter(uuid=uuid_or_none(request.POST.get("pet"))).first() if request.POST.get("pet") else context["pet"]
    if context["service"] is None or resource is None or starts_at is None or pet is None:
        context["error"] = _("Choose a service, your pet and a free time.")
        return render(request, "care/my_book.html", context, status=400)
    try:
        booking = booking_services.booking_create(customer=customer, pet=pet, service=context["service"], resource=resource,
                                                  starts_at=starts_at, note=request.POST.get("note", "")[:255])  # fmt: skip
    except DomainError as error:
        context["error"] = error_text(error)
        return render(request, "care/my_book.html", context, status=error.http_status)
    messages.success(request, _("Booked. We will remind you the day before."))
    return redirect("care:my_booking", uuid=booking.uuid)


@login_required(login_url="account_login")
def my_bookings(request):
    customer = customer_of(request)
    now = default_clock.now()
    found = bookings_for_customer(customer=customer)
    upcoming = found.filter(status=BookingStatus.BOOKED, ends_at__gt=now).order_by("starts_at")
    past = found.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at")[:50]
    return render(request, "care/my_bookings.html", {"shop": request.tenant, "upcoming": upcoming, "past": past})


def _own_booking(customer: Customer, uuid) -> Booking:
    return get_object_or_404(bookings_for_customer(customer=customer), uuid=uuid)


def _detail(request, booking: Booking, *, status: int = 200, error: str = "", day: date | None = None):
    now = default_clock.now()
    may_change = booking.status == BookingStatus.BOOKED and booking.starts_at - now >= booking_services.CHANGE_CUTOFF
    context = {"shop": request.tenant, "booking": booking, "may_change": may_change, "error": error,
               "cutoff_hours": int(booking_services.CHANGE_CUTOFF.total_seconds() // 3600)}  # fmt: skip
    if may_change and day:
        slots = slots_available(service=booking.service, day_from=day, day_to=day, now=now)
        names = dict(Resource.objects.filter(pk__in={s.resource_id for s in slots}).values_list("pk", "name"))
        context.update({"day": day, "slots": [{"value": f"{s.resource_id}|{s.starts_at.isoformat()}", "starts_at": s.starts_at,
                                               "resource": names[s.resource_id]} for s in slots]})  # fmt: skip
    if may_change:
        context["days"] = [default_clock.today() + timedelta(days=n) for n in range(DAYS_SHOWN)]
    return render(request, "care/my_booking.html", context, status=status)


@login_required(login_url="account_login")
def my_booking(request, uuid):
    booking = _own_booking(customer_of(request), uuid)
    return _detail(request, booking, day=parse_date(request.GET.get("day", "") or ""))


@require_POST
@login_required(login_url="account_login")
def my_booking_cancel(request, uuid):
    booking = _own_booking(customer_of(request), uuid)
    try:
        booking_services.booking_cancel(booking=booking)
    except DomainError as error:
        return _detail(request, booking, status=error.http_status, error=error_text(error))
    messages.success(request, _("Booking cancelled."))
    return redirect("care:my_bookings")


@require_POST
@login_required(login_url="account_login")
def my_booking_move(request, uuid):
    """Move to the free slot chosen; with `confirm` only (the page shows old and new first)."""
    booking = _own_booking(customer_of(request), uuid)
    resource, starts_at = _slot(request.POST.get("slot", ""))
    if resource is None or starts_at is None:
        return _detail(request, booking, status=400, error=_("Choose a free time."))
    try:
        booking_services.booking_reschedule(booking=booking, starts_at=starts_at, resource=resource)
    except DomainError as error:
        return _detail(request, booking, status=error.http_status, error=error_text(error))
    messages.success(request, _("Booking moved."))
    return redirect("care:my_booking", uuid=booking.uuid)
