"""One table as a CSV or XLSX download, for the console's and the partner portal's lists."""
import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from pawpact.core.clock import default_clock

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def yuan_cell(amount_minor: int) -> Decimal:
    return Decimal(amount_minor).scaleb(-2).quantize(Decimal("0.01"))


def table_response(*, fmt: str, headers: list, rows: list[list], name: str) -> HttpResponse:
    """`fmt` "csv" (with a BOM, so Excel reads Chinese as UTF-8) or anything else for XLSX."""
    headers = [str(header) for header in headers]
    stamp = default_clock.today().isoformat()
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        csv.writer(out).writerows([headers, *rows])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=name[:31])
    for row in [headers, *rows]:
        sheet.append([cell if isinstance(cell, int | float | Decimal) else str(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response
