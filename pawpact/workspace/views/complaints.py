"""投诉 Complaints: the queue with the 24-hour response and 48-hour resolution clocks, one
complaint's thread with respond and resolve, the missed deadlines listed for the owner."""
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care.enums import ComplaintStatus
from pawpact.care.models import Complaint, ComplaintPhoto
from pawpact.care.services import complaints as complaint_services
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.workspace.enums import Action, Role
from pawpact.workspace.exports import export_response
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.care import complaint_breach_list, complaint_clocks, complaint_search
from pawpact.workspace.views.bookings import error_text
from pawpact.workspace.views.care_tables import COMPLAINT_COLUMNS
from pawpact.workspace.views.frame import workspace_view

LIST_LIMIT = 200
STATUS_FILTERS = ("open", *ComplaintStatus.values)


@workspace_view(section="complaints")
def complaints(request):
    """Open complaints first (nearest deadline on top) unless a status is asked for."""
    status = request.GET.get("status", "open")
    status = status if status in STATUS_FILTERS or status == "all" else "open"
    found = complaint_search(status="" if status == "all" else status)
    if request.GET.get("export"):
        return export_response(request, found, COMPLAINT_COLUMNS, name="complaints")
    now = default_clock.now()
    is_owner = request.workspace_role == Role.OWNER
    context = {
        "rows": [complaint_clocks(complaint, now) for complaint in found[:LIST_LIMIT]],
        "status": status,
        "statuses": [("open", _("Waiting for us")), *ComplaintStatus.choices, ("all", _("All"))],
        "breaches": complaint_breach_list()[:50] if is_owner else None,
    }
    return render(request, "workspace/complaints/list.html", context)


def _complaint(uuid) -> Complaint:
    found = Complaint.objects.select_related("customer", "booking__service", "booking__pet", "order", "contract__pet")
    return get_object_or_404(found, uuid=uuid)


def _detail(request, complaint: Complaint, *, status: int = 200, text: str = ""):
    context = {
        "row": complaint_clocks(complaint, default_clock.now()),
        "complaint": complaint,
        "entries": complaint.entries.select_related("author"),
        "photos": complaint.photos.all(),
        "breaches": complaint.breaches.all(),
        "may_act": role_allows(request.workspace_role, Action.COMPLAINT_ACT),
        "is_open": complaint.status in complaint_services.OPEN_STATUSES,
        "text": text,
    }
    return render(request, "workspace/complaints/detail.html", context, status=status)


@workspace_view(section="complaints")
def complaint_detail(request, uuid):
    return _detail(request, _complaint(uuid))


@require_POST
@workspace_view(Action.COMPLAINT_ACT, section="complaints")
def complaint_action(request, uuid, action: str):
    """Respond (stops the response clock) or resolve (the customer then confirms or reopens)."""
    complaint = _complaint(uuid)
    service = {"respond": complaint_services.complaint_respond, "resolve": complaint_services.complaint_resolve}.get(action)
    if service is None:
        return redirect("workspace:complaint_detail", uuid=complaint.uuid)
    text = request.POST.get("text", "")
    try:
        service(complaint=complaint, author=request.user, text=text)
    except DomainError as error:
        messages.error(request, error_text(error))
        return _detail(request, _complaint(uuid), status=error.http_status, text=text)
    messages.success(request, _("Answer sent.") if action == "respond" else _("Marked resolved; the customer is asked to confirm."))
    return redirect("workspace:complaint_detail", uuid=complaint.uuid)


@workspace_view(section="complaints")
def complaint_photo(request, uuid, photo_id: int):
    photo = get_object_or_404(ComplaintPhoto, pk=photo_id, complaint__uuid=uuid)
    return FileResponse(photo.image.open("rb"))
