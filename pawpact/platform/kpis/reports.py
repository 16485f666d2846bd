"""Monthly KPI reports: each shop's core KPIs of a month as CSV and XLSX, kept in
MonthlyReport, downloadable by the shop's staff and emailed to the owner; and the
platform's portfolio report (every shop, one row each).

Made on the 1st and, should that run fail, on the following days up to the 4th
(`platform.monthly_reports`), so a shop has its report before the 5th. Idempotent:
one report per shop and month (and one portfolio report per month), each emailed once.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name
from openpyxl import Workbook
from openpyxl.styles import Font

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.core.months import month_start
from pawpact.platform.kpis.definitions import DEFINITIONS, NO_DATA, from_json
from pawpact.platform.kpis.facts import FACT_FIELDS, kpi_facts_compute, month_bounds
from pawpact.platform.kpis.selectors import shop_benchmark_rows
from pawpact.platform.models import MonthlyReport, ShopMonthlyKpi
from pawpact.tenants.models import Shop

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KPI_COLUMNS = ["shop", "month", "kpi", "label", "value", "display", "target", "target_met",
               "peer_p25", "peer_median", "peer_p75", "peer_shops"]  # fmt: skip


def _value(value) -> str:
    """A KPI's cell: the figure, or "no data" (a blank would read as 0 to some readers)."""
    return str(NO_DATA) if value is None else str(value)


def _plain(value) -> str:
    return "" if value is None else str(value)


def _month_ended(month: date, clock: Clock) -> date:
    month = month_start(month)
    if month_bounds(month)[1] > clock.now():
        raise ValidationFailed(
            _("A monthly report is made once the month is over."), fields={"month": [month.isoformat()]}
        )
    return month


def _final_facts(shop: Shop, month: date, clock: Clock) -> ShopMonthlyKpi:
    """The month's facts, recomputed if they were taken before the month ended."""
    row = ShopMonthlyKpi.objects.filter(shop=shop, month=month).first()
    if row is None or row.computed_at < month_bounds(month)[1]:
        row = kpi_facts_compute(shop=shop, month=month, clock=clock)
    return row


def _kpi_table(shop: Shop, month: date) -> list[list]:
    rows = []
    for row in shop_benchmark_rows(shop_id=shop.pk, month=month):
        rows.append([
            shop.slug, month.strftime("%Y-%m"), row.kpi, row.label, _plain(row.value), row.value_display,
            row.target_display, _plain(row.target_met), _plain(row.p25), _plain(row.p50), _plain(row.p75),
            _plain(row.shops),
        ])  # fmt: skip
    return rows


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 48)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _store(*, shop: Shop | None, month: date, csv_bytes: bytes, xlsx_bytes: bytes, clock: Clock) -> MonthlyReport:
    """Create the report once; a report that exists (made earlier, or concurrently) is kept."""
    existing = MonthlyReport.objects.filter(shop=shop, month=month).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return MonthlyReport.objects.create(
                shop=shop, month=month, csv=csv_bytes, xlsx=xlsx_bytes, created_at=clock.now()
            )
    except IntegrityError:
        return MonthlyReport.objects.get(shop=shop, month=month)


def monthly_report_generate(*, shop: Shop, month: date, clock: Clock = default_clock) -> MonthlyReport:
    """The shop's report for `month` (a month that is over): made once, then kept as it was."""
    month = _month_ended(month, clock)
    existing = MonthlyReport.objects.filter(shop=shop, month=month).first()
    if existing is not None:
        return existing
    facts = _final_facts(shop, month, clock)
    with translation.override("en"):  # column labels of a file, not of a page
        kpis = _kpi_table(shop, month)
        fact_rows = [[name, getattr(facts, name)] for name in FACT_FIELDS]
        xlsx = _xlsx([("KPIs", KPI_COLUMNS, kpis), ("Facts", ["fact", "value"], fact_rows)])
    return _store(shop=shop, month=month, csv_bytes=_csv(KPI_COLUMNS, kpis), xlsx_bytes=xlsx, clock=clock)


def portfolio_report_generate(*, month: date, clock: Clock = default_clock) -> MonthlyReport:
    """The platform's report for `month`: one row per shop with every KPI, made once."""
    month = _month_ended(month, clock)
    existing = MonthlyReport.objects.filter(shop__isnull=True, month=month).first()
    if existing is not None:
        return existing
    header = ["shop_id", "shop", "slug", "risk_state", *DEFINITIONS]
    rows = []
    facts = (
        ShopMonthlyKpi.objects.filter(month=month)
        .exclude(shop__schema_name=get_public_schema_name())
        .select_related("shop")
        .order_by("shop__name", "shop_id")
    )
    for row in facts:
        values = [_value(from_json(kpi, row.values.get(kpi))) for kpi in DEFINITIONS]
        rows.append([row.shop_id, row.shop.name, row.shop.slug, row.shop.risk_state, *values])
    return _store(shop=None, month=month, csv_bytes=_csv(header, rows),
                  xlsx_bytes=_xlsx([("Portfolio", header, rows)]), clock=clock)  # fmt: skip


def report_filename(report: MonthlyReport, extension: str) -> str:
    owner = report.shop.slug if report.shop_id else "portfolio"
    return f"pawpact-kpis-{owner}-{report.month:%Y-%m}.{extension}"


def monthly_report_email(*, report_id: int, clock: Clock = default_clock) -> bool:
    """Email a shop's report to its owner with both files attached, once. True if sent now.

    The row is locked while sending and marked in the same transaction: a failed send
    leaves it unmarked for the next run. (A crash between the send and the commit can
    send it twice: email is at-least-once.)
    """
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("shop__owner").get(pk=report_id)
        if report.emailed_at is not None or report.shop_id is None or report.shop.owner is None:
            return False
        shop = report.shop
        month = report.month.strftime("%Y-%m")
        subject = _("Your KPI report for %(month)s · %(shop)s") % {"month": month, "shop": shop.name}
        body = _(
            "Hello,\n\nattached are the core KPIs of %(shop)s for %(month)s (CSV and Excel), beside the "
            "median and quartiles of the shops on Pawpact. You can also download them from your shop's "
            "KPI reports page.\n\nPawpact"
        ) % {"month": month, "shop": shop.name}
        message = EmailMessage(subject=subject, body=body, to=[shop.owner.email])
        message.attach(report_filename(report, "csv"), bytes(report.csv), CSV_TYPE)
        message.attach(report_filename(report, "xlsx"), bytes(report.xlsx), XLSX_TYPE)
        message.send()
        report.emailed_at = clock.now()
        report.save(update_fields=["emailed_at"])
    return True

