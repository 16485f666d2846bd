"""The customer's complaint pages (H5): file one (category, text, photos, a link to their
own order, booking or contract), follow the two clocks, confirm the resolution or reopen."""
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.billing.models import Contract
from pawpact.care.booking_views import customer_of, error_text
from pawpact.care.enums import BookingStatus, ComplaintCategory, ComplaintStatus
from pawpact.care.models import Booking, Complaint, ComplaintPhoto
from pawpact.care.services import complaints as complaint_services
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.storefront.models import Order


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What is it about?"), choices=ComplaintCategory.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=pgettext_lazy("incident", "What happened"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    link = forms.CharField(label=gettext_lazy("Linked record (optional)"), required=False)


def _links(customer) -> list[tuple[str, str]]:
    """The customer's own records a complaint may name, as ("kind:uuid", label)."""
    rows = [(f"booking:{b.uuid}", f"{b.service.name} · {timezone.localtime(b.starts_at):%Y-%m-%d %H:%M}")
            for b in Booking.objects.filter(customer=customer).exclude(status=BookingStatus.CANCELLED, starts_at__gt=default_clock.now())
            .select_related("service").order_by("-starts_at")[:20]]  # fmt: skip
    rows += [(f"order:{o.uuid}", _("Order of %(day)s") % {"day": f"{o.created_at:%Y-%m-%d}"})
             for o in Order.objects.filter(customer=customer).order_by("-created_at")[:20]]  # fmt: skip
    rows += [(f"contract:{c.uuid}", _("Plan for %(pet)s") % {"pet": c.pet.name})
             for c in Contract.objects.filter(customer=customer).select_related("pet").order_by("-created_at")[:10]]  # fmt: skip
    return rows


def _link_fields(link: str) -> dict | None:
    """"kind:uuid" → the service's keyword (the service refuses what is not the customer's); None if malformed."""
    if not link:
        return {}
    kind, _sep, value = link.partition(":")
    try:
        return {f"{kind}_uuid": uuid.UUID(value)} if kind in ("booking", "order", "contract") else None
    except ValueError:
        return None


def _list(request, customer, *, form=None, status: int = 200, error: str = ""):
    complaints = Complaint.objects.filter(customer=customer).order_by("-opened_at")
    context = {"shop": request.tenant, "complaints": complaints, "form": form or ComplaintForm(), "links": _links(customer),
               "error": error, "now": default_clock.now()}  # fmt: skip
    return render(request, "care/my_complaints.html", context, status=status)


@login_required(login_url="account_login")
def my_complaints(request):
    customer = customer_of(request)
    if request.method != "POST":
        return _list(request, customer)
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        return _list(request, customer, form=form, status=400)
    links = _link_fields(form.cleaned_data["link"])
    if links is None:
        return _list(request, customer, form=form, status=400, error=_("Choose one of your own."))
    try:
        complaint = complaint_services.complaint_file(
            customer=customer, category=form.cleaned_data["category"], text=form.cleaned_data["text"],
            photos=request.FILES.getlist("photos"), **links,
        )  # fmt: skip
    except DomainError as error:
        return _list(request, customer, form=form, status=error.http_status, error=error_text(error))
    messages.success(request, _("Received. We answer within 24 hours and resolve within 48 hours."))
    return redirect("care:my_complaint", uuid=complaint.uuid)


def _own(request, uuid) -> Complaint:
    return get_object_or_404(Complaint.objects.filter(customer=customer_of(request)), uuid=uuid)


def _detail(request, complaint: Complaint, *, status: int = 200, error: str = ""):
    context = {"shop": request.tenant, "complaint": complaint, "entries": complaint.entries.all(),
               "photos": complaint.photos.all(), "now": default_clock.now(), "error": error,
               "is_resolved": complaint.status == ComplaintStatus.RESOLVED}  # fmt: skip
    return render(request, "care/my_complaint.html", context, status=status)


@login_required(login_url="account_login")
def my_complaint(request, uuid):
    return _detail(request, _own(request, uuid))


@require_POST
@login_required(login_url="account_login")
def my_complaint_answer(request, uuid, answer: str):
    """Confirm the resolution, or reopen it saying why (fresh clocks)."""
    complaint = _own(request, uuid)
    try:
        if answer == "confirm":
            complaint_services.complaint_confirm(complaint=complaint)
            messages.success(request, _("Thank you. The complaint is closed."))
        else:
            complaint_services.complaint_reopen(complaint=complaint, text=request.POST.get("text", ""))
            messages.success(request, _("Reopened. We answer within 24 hours."))
    except DomainError as error:
        return _detail(request, _own(request, uuid), status=error.http_status, error=error_text(error))
    return redirect("care:my_complaint", uuid=complaint.uuid)


@login_required(login_url="account_login")
def my_complaint_photo(request, uuid, photo_id: int):
    photo = get_object_or_404(ComplaintPhoto, pk=photo_id, complaint=_own(request, uuid))
    return FileResponse(photo.image.open("rb"))
