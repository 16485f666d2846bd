"""One table as a CSV or XLSX download, for the console's and the partner portal's lists."""
import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from pawpact.core.clock import default_clock

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def yuan_cell(amount_minor: int) -> Decimal:
    return Decimal(amount_minor).scaleb(-2).quantize(Decimal("0.01"))


def table_response(*, fmt: str, headers: list, rows: list[list], name: str, totals: list | None = None) -> HttpResponse:
    """`fmt` "csv" (with a BOM, so Excel reads Chinese as UTF-8) or anything else for XLSX.

    `totals`, a labelled row under the table, goes in the XLSX only: a CSV is read by programs
    (an import, a sum over a column), which would take a totals row for one more record and
    count everything twice; every row of the CSV is a record, and its totals are a sum away."""
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
        sheet.append([_cell(cell) for cell in row])
    if totals is not None:
        sheet.append([_bold(sheet, _cell(cell)) for cell in totals])
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _cell(value):
    return value if isinstance(value, int | float | Decimal) else str(value)


def _bold(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell
