"""The console's statement lines: one import's lines on its page, and every shop's lines of a
day on the lines page, each filtered by result, kind (and shop), totalled per side and
exported as CSV or XLSX. Platform admins only."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.widgets import IsoDateInput
from pawpact.platform.enums import StatementImportStatus
from pawpact.platform.funding.import_lines import (
    LineFilter,
    LineRow,
    import_line_rows,
    kind_choices,
    last_imported_day,
    latest_imports,
    line_totals,
    result_choices,
)
from pawpact.platform.funding.import_reasons import import_failure_reason, import_needs_credentials
from pawpact.platform.funding.reconciliation_views import provider_choices
from pawpact.platform.funding.selectors import funding_shop_list
from pawpact.platform.models import StatementImport
from pawpact.platform.table_export import table_response, yuan_cell

PAGE_ROWS = 200


class LineFilterForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("Result"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = result_choices()
        self.fields["kind"].choices = kind_choices()

    def filters(self) -> LineFilter:
        if not self.is_valid():
            return LineFilter()
        shop = self.cleaned_data.get("shop")
        return LineFilter(result=self.cleaned_data["result"], kind=self.cleaned_data["kind"],
                          shop_id=shop.pk if shop else None)  # fmt: skip


class DayLineFilterForm(LineFilterForm):
    day = forms.DateField(label=gettext_lazy("Statement date"), required=False, widget=IsoDateInput)
    provider = forms.ChoiceField(label=gettext_lazy("Provider"), required=False)
    shop = forms.ModelChoiceField(label=gettext_lazy("Shop"), queryset=funding_shop_list(), required=False,
                                  empty_label=gettext_lazy("All"))  # fmt: skip

    field_order = ["day", "provider", "shop", "result", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All"))] + provider_choices()


def _export(fmt: str, rows: list[LineRow]):
    providers = dict(provider_choices())
    headers = [_("Shop"), _("Provider"), _("Statement date"), _("Kind"), _("Customer"), _("Contract or order"),
               _("Merchant order number"), _("Provider's number"), _("On the statement (¥)"), _("In the books (¥)"),
               _("Result"), _("Matched to / reason"), _("Idempotency key"), _("Age (days)"),
               _("Mismatch state")]  # fmt: skip
    table = [[row.source.shop.name, providers.get(row.source.provider, row.source.provider),
              row.source.statement_date.isoformat(), row.kind, row.customer, row.reference,
              row.line.get("order_no", ""), row.line.get("provider_reference", ""),
              yuan_cell(int(row.line.get("amount_minor") or 0)), yuan_cell(int(row.line.get("our_amount_minor") or 0)),
              row.result, row.detail, row.line.get("our_key", ""), "" if row.age_days is None else row.age_days,
              _state(row)]
             for row in rows]  # fmt: skip
    totals = line_totals(rows)
    count = ngettext("%(n)s line", "%(n)s lines", totals.lines) % {"n": totals.lines}
    footer = [_("Total"), count, "", "", "", "", "", "", yuan_cell(totals.statement_minor),
              yuan_cell(totals.books_minor), "", "", "", "", ""]  # fmt: skip
    return table_response(fmt=fmt, headers=headers, rows=table, name="statement-lines", totals=footer)


def _state(row: LineRow) -> str:
    if row.mismatch is None:
        return ""
    return _("Resolved") if row.mismatch.resolved_at else pgettext("mismatch", "Open")


def _lines(request, imports: list[StatementImport], form: LineFilterForm):
    """The export when asked for, else the lines' part of the page's context."""
    rows = import_line_rows(imports=imports, filters=form.filters(), today=default_clock.today())
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request.GET["export"], rows)
    params = request.GET.copy()
    params.pop("export", None)
    params.pop("page", None)
    # A day's statement can run to thousands of lines: the page shows them a page at a time,
    # the totals and the exports are of every line the filters keep.
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    return {"line_rows": page.object_list, "line_page": page, "totals": line_totals(rows), "line_form": form,
            "line_filters": params.urlencode()}  # fmt: skip


@staff_required
def console_statement_import_status(request, import_id: int):
    row = StatementImport.objects.select_related("shop", "requested_by").filter(pk=import_id).first()
    if row is None:
        raise Http404
    finished = row.status in (StatementImportStatus.DONE, StatementImportStatus.FAILED)
    lines = _lines(request, [row], LineFilterForm(request.GET or None))
    if not isinstance(lines, dict):
        return lines
    return render(request, "platform/reconciliation_import.html", {
        "import": row, "finished": finished, "reason": import_failure_reason(row),
        "needs_credentials": import_needs_credentials(row), **lines,
    })  # fmt: skip


@staff_required
def console_statement_lines(request):
    params = request.GET.copy()
    if not params.get("day"):  # the last day imported, until another is chosen
        last = last_imported_day()
        params["day"] = last.isoformat() if last else ""
    form = DayLineFilterForm(params)
    chosen = form.cleaned_data if form.is_valid() else {}
    day = chosen.get("day")
    imports = latest_imports(day=day, provider=chosen.get("provider", "")) if day else []
    lines = _lines(request, imports, form)
    if not isinstance(lines, dict):
        return lines
    return render(request, "platform/reconciliation_lines.html", {"day": day, "imports": imports, **lines})
