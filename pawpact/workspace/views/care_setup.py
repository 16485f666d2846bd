"""What the shop books: service types (duration, price in yuan) and the resources that
perform them, with weekly hours and days off. Managers and the owner edit; clerks read."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care.models import DayOff, Resource, ServiceType
from pawpact.care.services import catalogue
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.workspace.care_forms import WEEKDAYS, DayOffForm, ResourceForm, ServiceForm
from pawpact.workspace.enums import Action
from pawpact.workspace.fields import fen_to_yuan
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import workspace_view


def _form_errors(form, error: DomainError) -> None:
    """The service's field errors on the form's fields (price → price, hours → the form)."""
    for field, details in error.fields.items():
        form.add_error(field if field in form.fields else None, sentences_join(details))
    if not error.fields:
        form.add_error(None, error.message)


def _page(request, *, service_form=None, resource_form=None, status: int = 200):
    resources = list(Resource.objects.prefetch_related("services", "hours", "days_off"))
    for resource in resources:
        windows = ResourceForm.initial_for(resource)
        resource.week = [(WEEKDAYS[day], windows[f"hours_{day}"]) for day in range(7) if windows[f"hours_{day}"]]
    context = {
        "services": ServiceType.objects.all(),
        "resources": resources,
        "weekdays": WEEKDAYS,
        "service_form": service_form or ServiceForm(),
        "resource_form": resource_form or ResourceForm(),
        "day_off_form": DayOffForm(),
        "may_edit": role_allows(request.workspace_role, Action.CARE_EDIT),
    }
    return render(request, "workspace/bookings/setup.html", context, status=status)


@workspace_view(section="bookings")
def care_setup(request):
    return _page(request)


def _service_values(form) -> dict:
    data = form.cleaned_data
    return {"name": data["name"], "kind": data["kind"], "duration_minutes": data["duration_minutes"], "price_minor": data["price"]}


@require_POST
@workspace_view(Action.CARE_EDIT, section="bookings")
def service_save(request, pk: int | None = None):
    service = get_object_or_404(ServiceType, pk=pk) if pk else None
    form = ServiceForm(request.POST)
    if form.is_valid():
        try:
            if service is None:
                catalogue.service_type_create(**_service_values(form))
            else:
                catalogue.service_type_update(service=service, is_active=form.cleaned_data["is_active"], **_service_values(form))
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Service saved."))
            return redirect("workspace:care_setup")
    if service is not None:
        return render(request, "workspace/bookings/service_edit.html", {"service": service, "form": form}, status=400)
    return _page(request, service_form=form, status=400)


@workspace_view(Action.CARE_EDIT, section="bookings")
def service_edit(request, pk: int):
    service = get_object_or_404(ServiceType, pk=pk)
    form = ServiceForm(initial={"name": service.name, "kind": service.kind, "duration_minutes": service.duration_minutes,
                                "price": fen_to_yuan(service.price_minor), "is_active": service.is_active})  # fmt: skip
    return render(request, "workspace/bookings/service_edit.html", {"service": service, "form": form})


@workspace_view(Action.CARE_EDIT, section="bookings")
def resource_edit(request, pk: int | None = None):
    """Add a resource, or change one: name, services, hours per weekday, whether it takes bookings."""
    resource = get_object_or_404(Resource, pk=pk) if pk else None
    if request.method != "POST":
        form = ResourceForm(initial=ResourceForm.initial_for(resource)) if resource else ResourceForm()
        return render(request, "workspace/bookings/resource_edit.html", {"resource": resource, "form": form})
    form = ResourceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if resource is None:
                catalogue.resource_create(name=data["name"], services=list(data["services"]), hours=data["hours"])
            else:
                catalogue.resource_update(resource=resource, name=data["name"], services=list(data["services"]),
                                          hours=data["hours"], is_active=data["is_active"])  # fmt: skip
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Resource saved."))
            return redirect("workspace:care_setup")
    return render(request, "workspace/bookings/resource_edit.html", {"resource": resource, "form": form}, status=400)


@require_POST
@workspace_view(Action.CARE_EDIT, section="bookings")
def day_off_add(request, pk: int):
    resource = get_object_or_404(Resource, pk=pk)
    form = DayOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, sentences_join(e for errors in form.errors.values() for e in errors))
        return _page(request, status=400)
    try:
        catalogue.day_off_add(resource=resource, day=form.cleaned_data["day"], reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, sentences_join(dict.fromkeys([error.message, *(m for ms in error.fields.values() for m in ms)])))
        return _page(request, status=error.http_status)
    messages.success(request, _("Day off added."))
    return redirect("workspace:care_setup")


@require_POST
@workspace_view(Action.CARE_EDIT, section="bookings")
def day_off_remove(request, pk: int):
    catalogue.day_off_remove(day_off=get_object_or_404(DayOff, pk=pk))
    messages.success(request, _("Day off removed."))
    return redirect("workspace:care_setup")
