"""The shop owner's KPI dashboard and monthly reports, on the shop's own domain.

The shop is always the host's (request.tenant): these pages read public tables filtered
to it, so no parameter can show another shop. They show the shop's own values beside
the peers' anonymous quartiles, never another shop's name or value.
"""
from django.shortcuts import render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.months import month_add, month_parse, month_start
from pawpact.platform.kpis.benchmarks import MIN_SHOPS
from pawpact.platform.kpis.charts import kpi_trend_chart
from pawpact.platform.kpis.definitions import target_format
from pawpact.platform.kpis.selectors import (
    report_list,
    shop_kpi_overview,
    shop_latest_month,
)
from pawpact.platform.kpis.views import report_download


@staff_required
def kpi_dashboard(request):
    shop = request.tenant
    latest = shop_latest_month(shop_id=shop.pk) or month_start(default_clock.today())
    month = month_parse(request.GET.get("month")) or latest
    month = min(month, latest)
    rows, trends = shop_kpi_overview(shop_id=shop.pk, until=month)
    units = {row.kpi: row.unit for row in rows}
    charts = [
        kpi_trend_chart(
            series=series,
            unit=units[series.kpi],
            own_label=pgettext("the shop itself", "You"),
            median_label=_("Peer median"),
            target_label=_("Target %(target)s") % {"target": target_format(series.kpi)}
            if series.target is not None else "",
        )
        for series in trends
    ]  # fmt: skip
    context = {
        "shop": shop,
        "month": month,
        "rows": rows,
        "charts": charts,
        "min_shops": MIN_SHOPS,
        "previous_month": month_add(month, -1),
        "next_month": month_add(month, 1) if month < latest else None,
    }
    return render(request, "platform/shop_kpis/dashboard.html", context)


@staff_required
def kpi_reports(request):
    return render(
        request,
        "platform/shop_kpis/reports.html",
        {"shop": request.tenant, "reports": report_list(shop_id=request.tenant.pk)},
    )


@staff_required
def kpi_report_download(request, month: str, extension: str):
    return report_download(shop_id=request.tenant.pk, month=month, extension=extension)


# Mounted under /insights/ by pawpact.config.urls_tenant.
urlpatterns = [
    path("", kpi_dashboard, name="kpi_dashboard"),
    path("reports/", kpi_reports, name="kpi_reports"),
    re_path(r"^reports/(?P<month>\d{4}-\d{2})\.(?P<extension>csv|xlsx)$", kpi_report_download,
            name="kpi_report_download"),  # fmt: skip
]
