"""Every list exports what its filter shows: XLSX through tablib, CSV streamed row by row.

Columns are (header, value-of-row) pairs; money leaves in yuan with two decimals (what the
shop reads), status codes leave as their translated labels.
"""
import csv
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import tablib
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from pawpact.core.clock import default_clock

Column = tuple[str, Callable[[object], object]]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def yuan(amount_minor: int | None) -> Decimal | None:
    return None if amount_minor is None else (Decimal(amount_minor) / 100).quantize(Decimal("0.01"))


def local(value):
    """Aware datetimes as the shop's local time without tzinfo (spreadsheets have no zones)."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(tzinfo=None) if hasattr(value, "tzinfo") and value.tzinfo else value


def _rows(rows: Iterable, columns: Sequence[Column]):
    for row in rows:
        yield [value(row) for _header, value in columns]


def _iterate(rows):
    # Chunked iteration keeps memory flat on 20,000 rows; prefetches still apply per chunk.
    return rows.iterator(chunk_size=CHUNK) if hasattr(rows, "iterator") else rows


class _Echo:
    def write(self, value):
        return value


def export_response(request, rows, columns: Sequence[Column], *, name: str):
    """The download the list's `?export=` asks for (xlsx or csv), of `rows` as filtered."""
    stamp = default_clock.today().isoformat()
    headers = [str(header) for header, _value in columns]
    if request.GET.get("export") == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # a BOM, so Excel opens Chinese text as UTF-8
            yield writer.writerow(headers)
            for values in _rows(_iterate(rows), columns):
                yield writer.writerow(["" if value is None else value for value in values])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response
    dataset = tablib.Dataset(headers=headers, title=name[:31])
    for values in _rows(_iterate(rows), columns):
        dataset.append(values)
    response = HttpResponse(dataset.export("xlsx"), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response
