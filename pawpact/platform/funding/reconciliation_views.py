"""The console's reconciliation: statements imported (fetched or uploaded), every mismatch
with its amount, age and both sides, filtered and exported, and resolved with a reason."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.widgets import IsoDateInput
from pawpact.platform.enums import MismatchKind, MismatchResolution, StatementImportStatus
from pawpact.platform.funding.import_lines import record_labels
from pawpact.platform.funding.import_reasons import import_failure_reason
from pawpact.platform.funding.reconciliation import (
    MANUAL_RESOLUTIONS,
    NOTE_MAX,
    MismatchFilter,
    mismatch_age_days,
    mismatch_list,
    mismatch_resolve,
)
from pawpact.platform.funding.selectors import funding_shop_list
from pawpact.platform.funding.statement_imports import statement_import_list, statement_import_request
from pawpact.platform.models import ReconciliationMismatch, StatementImport
from pawpact.platform.table_export import table_response, yuan_cell

PAGE_ROWS = 500
AGES = [(0, gettext_lazy("Any age")), (1, gettext_lazy("1 day or older")), (3, gettext_lazy("3 days or older")),
        (7, gettext_lazy("7 days or older")), (30, gettext_lazy("30 days or older"))]  # fmt: skip
STATES = [("open", gettext_lazy("Open")), ("resolved", gettext_lazy("Resolved")), ("all", gettext_lazy("All"))]


def _rows(mismatches, *, today) -> list[tuple[ReconciliationMismatch, int, str]]:
    """(mismatch, age in days, what our books hold under its order number)."""
    labels = record_labels()
    return [(m, mismatch_age_days(m, today=today), labels.get(m.our_record, "")) for m in mismatches]


def provider_choices():
    return [("alipay", _("Alipay")), ("wechat", _("WeChat Pay")), ("stripe", _("Stripe"))]


class FilterForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Provider"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=STATES, required=False)
    age = forms.TypedChoiceField(label=gettext_lazy("Age"), choices=AGES, coerce=int, required=False, empty_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All"))] + provider_choices()

    def filters(self) -> MismatchFilter:
        if not self.is_valid():
            return MismatchFilter()
        data = self.cleaned_data
        return MismatchFilter(provider=data["provider"], state=data["state"] or "open", min_age_days=data["age"] or 0)


class ImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=gettext_lazy("Shop"), queryset=funding_shop_list())
    provider = forms.ChoiceField(label=gettext_lazy("Provider"))
    statement_date = forms.DateField(label=gettext_lazy("Statement date"), widget=IsoDateInput)
    file = forms.FileField(
        label=gettext_lazy("Statement file (optional)"), required=False,
        help_text=gettext_lazy("Leave empty to fetch it from the provider (Alipay, WeChat Pay, Stripe). Upload the "
                               "provider's own file: Alipay's bill CSV or zip, WeChat Pay's trade bill, Stripe's "
                               "balance transactions."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = provider_choices()


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=gettext_lazy("Reason"), choices=MANUAL_RESOLUTIONS)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


def form_errors(form: forms.Form, error: DomainError) -> None:
    said = {str(problem) for problems in (error.fields or {}).values() for problem in problems}
    if error.message not in said:  # a message its field already shows is not repeated above the form
        form.add_error(None, error.message)
    for field, problems in (error.fields or {}).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, str(problem))


def _export(fmt: str, rows: list[tuple[ReconciliationMismatch, int, str]]):
    providers = dict(provider_choices())
    headers = [_("Shop"), _("Provider"), _("Statement date"), _("Mismatch"), _("Order number"),
               _("On the statement (¥)"), _("In the books (¥)"), _("Age (days)"), _("State"), _("Reason"),
               _("Note"), _("Resolved by"), _("Resolved at"), _("Their record"), _("Our record"),
               _("Idempotency key")]  # fmt: skip
    table = [[m.shop.name, providers.get(m.provider, m.provider), m.statement_date.isoformat(),
              MismatchKind(m.kind).label if m.kind in MismatchKind.values else m.kind, m.reference,
              yuan_cell(m.amount_minor), yuan_cell(m.our_amount_minor), age,
              _("Resolved") if m.resolved_at else _("Open"),
              MismatchResolution(m.resolution).label if m.resolution else "", m.resolution_note,
              m.resolved_by.email if m.resolved_by else "",
              m.resolved_at.isoformat(timespec="minutes") if m.resolved_at else "",
              m.provider_reference, record, m.our_key]
             for m, age, record in rows]  # fmt: skip
    return table_response(fmt=fmt, headers=headers, rows=table, name="reconciliation")


def statement_date_default():
    """Yesterday in China: a provider's statement for today is not complete until tomorrow."""
    return default_clock.today(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)


def _imports() -> list[tuple[StatementImport, str]]:
    """The latest imports, each with why it failed ("" unless it did)."""
    return [(row, import_failure_reason(row) if row.status == StatementImportStatus.FAILED else "")
            for row in statement_import_list()]  # fmt: skip


def _page(request, *, rows, filter_form, filters: str, import_form, status: int = 200):
    imports = _imports()
    return render(request, "platform/reconciliation.html", {
        "rows": rows, "filter_form": filter_form, "filters": filters, "import_form": import_form, "imports": imports,
        "failed_imports": sum(1 for row, _reason in imports if row.status == StatementImportStatus.FAILED),
    }, status=status)  # fmt: skip


@staff_required
def console_reconciliation(request):
    today = default_clock.today()
    filter_form = FilterForm(request.GET or None)
    mismatches = mismatch_list(filters=filter_form.filters(), today=today)[:PAGE_ROWS]
    rows = _rows(mismatches, today=today)
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request.GET["export"], rows)
    params = request.GET.copy()
    params.pop("export", None)
    return _page(request, rows=rows, filter_form=filter_form, filters=params.urlencode(),
                 import_form=ImportForm(initial={"statement_date": statement_date_default()}))


@staff_required
@require_POST
def console_statement_import(request):
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row, created = statement_import_request(shop=data["shop"], provider=data["provider"],
                                                    day=data["statement_date"], requested_by=request.user,
                                                    upload=data["file"])  # fmt: skip
        except DomainError as error:
            form_errors(form, error)
        else:
            if not created:
                messages.info(request, _("This statement was imported already; nothing changed."))
            return redirect("console_statement_import_status", import_id=row.pk)
    today = default_clock.today()
    rows = _rows(mismatch_list(filters=MismatchFilter(), today=today)[:PAGE_ROWS], today=today)
    return _page(request, rows=rows, filter_form=FilterForm(), filters="", import_form=form, status=400)


@staff_required
def console_mismatch_resolve(request, mismatch_id: int):
    mismatch = ReconciliationMismatch.objects.select_related("shop", "resolved_by").filter(pk=mismatch_id).first()
    if mismatch is None:
        raise Http404
    form = ResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mismatch_resolve(mismatch_id=mismatch.pk, resolved_by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_errors(form, error)
                status = error.http_status
            else:
                messages.success(request, _("The mismatch is resolved."))
                return redirect("console_reconciliation")
    return render(request, "platform/reconciliation_resolve.html", {
        "mismatch": mismatch, "form": form, "age": mismatch_age_days(mismatch, today=default_clock.today()),
        "record": record_labels().get(mismatch.our_record, ""),
    }, status=status)  # fmt: skip
