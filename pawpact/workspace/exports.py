"""Every list exports what its filter shows: XLSX and CSV, both streamed with flat memory.

XLSX is written by openpyxl's write-only mode (rows go to disk as they come, not into a
workbook in memory; tablib has no such mode) into a spooled file the response streams.
CSV is streamed row by row. Rows are read as plain values (values_list), not model
instances: building 20,000 contracts with their customers, pets and plans costs more than
writing them. Each Column names the fields it reads and how it shows them; money leaves
in yuan with two decimals (what the shop reads), status codes as their translated labels.
"""
import csv
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from pawpact.core.clock import default_clock



@dataclass(frozen=True)
class Column:
    header: str
    fields: tuple[str, ...]  # what it reads, as values_list paths (annotations included)
    show: Callable[..., object] = lambda value: value  # the fields' values → the cell


def column(header: str, *fields: str, show: Callable[..., object] | None = None) -> Column:
    return Column(header, fields, show or (lambda value: value))

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
SPOOL_IN_MEMORY_BYTES = 2 * 1024 * 1024  # larger exports spill to a temporary file


def yuan(amount_minor: int | None) -> Decimal | None:
    return None if amount_minor is None else (Decimal(amount_minor) / 100).quantize(Decimal("0.01"))


def local(value):
    """Aware datetimes as the shop's local time without tzinfo (spreadsheets have no zones)."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo:
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)  # seconds are what a reader uses
    return value


def _rows(queryset, columns: Sequence[Column]) -> Iterator[list]:
    """The cells of every row, read in chunks (memory stays flat on 20,000 rows)."""
    fields = list(dict.fromkeys(field for col in columns for field in col.fields))
    where = [[fields.index(field) for field in col.fields] for col in columns]
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        yield [col.show(*(row[i] for i in places)) for col, places in zip(columns, where, strict=True)]


class _Echo:
    def write(self, value):
        return value


def export_response(request, rows, columns: Sequence[Column], *, name: str):
    """The download the list's `?export=` asks for (xlsx or csv), of `rows` as filtered."""
    stamp = default_clock.today().isoformat()
    headers = [str(col.header) for col in columns]
    if request.GET.get("export") == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # a BOM, so Excel opens Chinese text as UTF-8
            yield writer.writerow(headers)
            for values in _rows(rows, columns):
                yield writer.writerow(["" if value is None else value for value in values])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=name[:31])
    sheet.append(headers)
    for values in _rows(rows, columns):
        sheet.append(values)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{name}-{stamp}.xlsx", content_type=XLSX_TYPE)
