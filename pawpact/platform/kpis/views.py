"""The platform's insights on the console (public site, platform admins only): the
portfolio dashboard, every shop ranked by a KPI, a shop's risk with its override, and
the monthly portfolio reports. Public tables only."""
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils.translation import gettext as _

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.core.months import month_add, month_parse, month_start
from pawpact.platform.kpis.charts import MEDIAN, OWN, Bar, Series, axis_format, bar_chart, line_chart
from pawpact.platform.kpis.definitions import DEFINITIONS, NO_DATA, kpi_format
from pawpact.platform.kpis.reports import CSV_TYPE, XLSX_TYPE, report_filename
from pawpact.platform.kpis.selectors import (
    benchmark_get,
    benchmark_latest_month,
    kpi_ranking,
    portfolio_months,
    portfolio_summary,
    report_get,
    report_list,
)
from pawpact.platform.risk.selectors import risk_change_list, shop_risk_get, shops_at_risk_list
from pawpact.platform.risk.services import risk_override_lift, risk_override_set
from pawpact.tenants.enums import ShopRiskState

RISK_COLORS = {
    ShopRiskState.HEALTHY: "#15803d",
    ShopRiskState.WATCH: "#d97706",
    ShopRiskState.BLOCKED_NEW_SIGNINGS: "#b91c1c",
}


def _percent(rate) -> str:
    return str(NO_DATA) if rate is None else f"{rate * 100:.2f}%"


@staff_required
def console_insights(request):
    portfolio = portfolio_summary()
    this_month = month_start(default_clock.today())
    months = portfolio_months(until=this_month)
    labels = [total.month.strftime("%Y-%m") for total in months]
    risk_chart = bar_chart(
        title=_("Shops by risk state"),
        bars=[
            Bar(str(ShopRiskState(state).label), count, RISK_COLORS[state])
            for state, count in portfolio.risk_counts.items()
        ],
    )
    collections_chart = line_chart(
        title=_("Debits collected per month (all shops)"),
        labels=labels,
        series=[Series(_("Collected"), [total.plan_revenue_minor for total in months], OWN)],
        value_format=axis_format("money"),
        width=560,
    )
    signings_chart = line_chart(
        title=_("Signings per month (all shops)"),
        labels=labels,
        series=[Series(_("Signings"), [total.signings for total in months], MEDIAN)],
        value_format=axis_format("count"),
        width=560,
    )
    context = {
        "portfolio": portfolio,
        "overdue_rate": _percent(portfolio.overdue.rate),
        "risk_chart": risk_chart,
        "collections_chart": collections_chart,
        "signings_chart": signings_chart,
        "at_risk": shops_at_risk_list(),
        "changes": [(change, _percent(change.overdue_rate)) for change in risk_change_list(limit=15)],
        "kpis": [(kpi, definition.label) for kpi, definition in DEFINITIONS.items()],
    }
    return render(request, "platform/insights/dashboard.html", context)


@staff_required
def console_ranking(request):
    kpi = request.GET.get("kpi")
    if kpi not in DEFINITIONS:
        kpi = next(iter(DEFINITIONS))
    month = month_parse(request.GET.get("month")) or benchmark_latest_month() or month_start(default_clock.today())
    ranking = kpi_ranking(kpi=kpi, month=month)
    benchmark = benchmark_get(kpi=kpi, month=month)
    context = {
        "kpi": kpi,
        "kpi_label": DEFINITIONS[kpi].label,
        "kpis": [(value, definition.label) for value, definition in DEFINITIONS.items()],
        "month": month,
        "previous_month": month_add(month, -1),
        "next_month": month_add(month, 1),
        "ranking": ranking,
        "benchmark": benchmark,
        "quartiles": [kpi_format(kpi, getattr(benchmark, q)) for q in ("p25", "p50", "p75")] if benchmark else None,
    }
    return render(request, "platform/insights/ranking.html", context)


@staff_required
def console_shop_risk(request, shop_id: int):
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "lift":
                risk_override_lift(shop_id=shop_id, reason=request.POST.get("reason", ""), actor=request.user)
                messages.success(request, _("Override lifted: the shop is back to its computed state."))
            else:
                change = risk_override_set(
                    shop_id=shop_id, state=request.POST.get("state", ""), reason=request.POST.get("reason", ""),
                    actor=request.user,
                )  # fmt: skip
                messages.success(request, _("Risk state set to %(state)s.") % {"state": change.get_to_state_display()})
        except DomainError as error:
            messages.error(request, error.message)
            status = error.http_status
        else:
            return redirect("console_shop_risk", shop_id=shop_id)
    risk = shop_risk_get(shop_id=shop_id)
    if risk is None:
        raise Http404(_("No such shop."))
    context = {
        "risk": risk,
        "states": ShopRiskState.choices,
        "days": [(day, _percent(day.overdue_rate), _percent(day.debit_success_rate)) for day in risk.days],
    }
    return render(request, "platform/insights/shop_risk.html", context, status=status)


@staff_required
def console_reports(request):
    return render(request, "platform/insights/reports.html", {"reports": report_list(shop_id=None)})


@staff_required
def console_report_download(request, month: str, extension: str):
    return report_download(shop_id=None, month=month, extension=extension)


def report_download(*, shop_id: int | None, month: str, extension: str) -> HttpResponse:
    """A stored monthly report, a shop's or (shop_id None) the platform's, as a CSV or XLSX file."""
    parsed = month_parse(month)
    report = report_get(shop_id=shop_id, month=parsed) if parsed else None
    if report is None:
        raise Http404(_("No report for that month."))
    body, content_type = (report.csv, CSV_TYPE) if extension == "csv" else (report.xlsx, XLSX_TYPE)
    return attachment(bytes(body), content_type=content_type, filename=report_filename(report, extension))


# Mounted under /console/insights/ by pawpact.config.urls_public.
urlpatterns = [
    path("", console_insights, name="console_insights"),
    path("ranking/", console_ranking, name="console_ranking"),
    path("shops/<int:shop_id>/", console_shop_risk, name="console_shop_risk"),
    path("reports/", console_reports, name="console_reports"),
    re_path(r"^reports/(?P<month>\d{4}-\d{2})\.(?P<extension>csv|xlsx)$", console_report_download,
            name="console_report_download"),  # fmt: skip
]
