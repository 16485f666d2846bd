"""Partner warehouses in the platform console: register one (its secret stored encrypted and
never shown again), change its credentials, check it (pass or fail with the reason), import
its catalog with a progress bar, see the shops using it and its SLA record."""
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.warehouses import tasks as warehouse_tasks
from pawpact.warehouses.forecast import FORECAST_MONTHS, committed_demand, demand_freshness, month_starts
from pawpact.warehouses.models import CatalogImport, Warehouse
from pawpact.warehouses.selectors import sla_record, warehouse_list, warehouse_shops
from pawpact.warehouses.services import (
    catalog_import_refused,
    catalog_import_start,
    sandbox_dispatch_hold,
    sandbox_fault_set,
    warehouse_check,
    warehouse_credentials_update,
    warehouse_register,
)


class CredentialsForm(forms.Form):
    base_url = forms.URLField(label=gettext_lazy("API address"), max_length=200, assume_scheme="https")
    key_id = forms.CharField(label=gettext_lazy("Key id"), max_length=80)
    secret = forms.CharField(label=gettext_lazy("Shared secret (HMAC)"), min_length=16, max_length=200,
                             widget=forms.PasswordInput(render_value=False))  # fmt: skip


class RegisterForm(CredentialsForm):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40)
    name = forms.CharField(label=pgettext_lazy("warehouse", "Name"), max_length=120)
    field_order = ["name", "code", "base_url", "key_id", "secret"]


def _form_errors(form: forms.Form, error: DomainError) -> None:
    form.add_error(None, error.message)
    for field, problems in (error.fields or {}).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, str(problem))


def _callback_url(request, warehouse: Warehouse) -> str:
    return request.build_absolute_uri(reverse("warehouse_callback", args=[warehouse.code]))


@staff_required
def console_warehouses(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = warehouse_register(**form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Registered. Check the connection, then import the catalog."))
            return redirect("console_warehouse", warehouse_id=warehouse.pk)
    return render(request, "platform/warehouses/list.html", {"warehouses": warehouse_list(), "form": form})


@staff_required
def console_warehouse(request, warehouse_id: int):
    warehouse = get_object_or_404(warehouse_list(), pk=warehouse_id)
    form = CredentialsForm(request.POST or None, initial={"base_url": warehouse.base_url, "key_id": warehouse.key_id})
    form.fields["secret"].required = False
    form.fields["secret"].help_text = _("Leave empty to keep the current secret.")
    if request.method == "POST" and form.is_valid():
        try:
            warehouse_credentials_update(warehouse=warehouse, **form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Credentials saved. Check the connection again."))
            return redirect("console_warehouse", warehouse_id=warehouse.pk)
    months, demand = committed_demand(warehouse=warehouse, months=month_starts(default_clock.today())[:FORECAST_MONTHS])
    return render(request, "platform/warehouses/detail.html", {
        "warehouse": warehouse, "form": form, "shops": warehouse_shops(warehouse=warehouse),
        "demand_months": months, "demand": demand[:100], "demand_freshness": demand_freshness(warehouse=warehouse),
        "sla": sla_record(warehouse=warehouse, now=default_clock.now()), "run": warehouse.imports.first(),
    })  # fmt: skip


@staff_required
@require_POST
def console_warehouse_check(request, warehouse_id: int):
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id)
    result = warehouse_check(warehouse=warehouse, callback_url=_callback_url(request, warehouse))
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("console_warehouse", warehouse_id=warehouse.pk)


@staff_required
@require_POST
def console_warehouse_import(request, warehouse_id: int):
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id)
    # The import starts from a passing check, which also tells how many SKUs to expect.
    result = warehouse_check(warehouse=warehouse, callback_url=_callback_url(request, warehouse))
    if not result.ok:  # the progress area says why; the button starts it again
        catalog_import_refused(warehouse=warehouse, check=result)
        return redirect("console_warehouse", warehouse_id=warehouse.pk)
    run = catalog_import_start(warehouse=warehouse, expected_items=result.skus or None)
    if run.pages == 0 and run.finished_at is None:
        warehouse_tasks.catalog_import_task.delay(run.pk)
    return redirect("console_warehouse", warehouse_id=warehouse.pk)


@staff_required
def console_warehouse_import_progress(request, warehouse_id: int, run_id: int):
    run = get_object_or_404(CatalogImport, pk=run_id, warehouse_id=warehouse_id)
    return render(request, "platform/warehouses/_import.html", {"run": run, "warehouse_id": warehouse_id})


@staff_required
@require_POST
def console_warehouse_hold(request, warehouse_id: int):
    """A sandbox warehouse holds (or releases) dispatch of one order or of all: to try breaches."""
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id)
    order_id, hold = request.POST.get("order_id", ""), request.POST.get("hold") == "1"
    try:
        held = sandbox_dispatch_hold(warehouse=warehouse, order_id=order_id, hold=hold)
    except DomainError as error:
        messages.error(request, sentences_join([error.message, *(p for ps in (error.fields or {}).values() for p in ps)]))
    else:
        count = len(held.get("orders") or [])
        state = (_("every dispatch is held") if held.get("all") else
                 ngettext("%(n)s order held", "%(n)s orders held", count) % {"n": count})  # fmt: skip
        messages.success(request, _("Done: %(state)s.") % {"state": state})
    return redirect("console_warehouse", warehouse_id=warehouse.pk)


@staff_required
@require_POST
def console_warehouse_fault(request, warehouse_id: int):
    """A sandbox warehouse goes down or comes back; a check right after shows its state."""
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id)
    down = request.POST.get("down") == "1"
    try:
        sandbox_fault_set(warehouse=warehouse, down=down)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console_warehouse", warehouse_id=warehouse.pk)
    warehouse_check(warehouse=warehouse, callback_url=_callback_url(request, warehouse))
    messages.success(request, _("The warehouse is down: every call to it fails until it comes back.") if down
                     else _("The warehouse is back; waiting parcels are sent on the next retry."))  # fmt: skip
    return redirect("console_warehouse", warehouse_id=warehouse.pk)
