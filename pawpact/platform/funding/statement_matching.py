"""Running one statement import (pawpact.platform.funding.statement_imports): the shop's
schema matches the lines against its books, and the result is drained into the mismatch
list at once, so the import is done when the console shows it done."""
from __future__ import annotations

from dataclasses import asdict

from django_tenants.utils import schema_context

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.payments.base import StatementLine
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.enums import StatementImportStatus as Status
from pawpact.platform.funding.import_reasons import import_failure_fields
from pawpact.platform.models import StatementImport
from pawpact.tenants.ports import shop_side

FINISHED = (Status.DONE, Status.FAILED)


def _progress(row: StatementImport, status: str, **fields) -> None:
    fields["status"] = status
    StatementImport.objects.filter(pk=row.pk).update(**fields)


def statement_import_run(*, import_id: int, clock: Clock = default_clock) -> StatementImport | None:
    """Run one import; a finished one is left as it is (a repeated task changes nothing)."""
    row = StatementImport.objects.select_related("shop").filter(pk=import_id).first()
    if row is None or row.status in FINISHED:
        return row
    uploaded = [StatementLine(**line) for line in row.lines_json] if row.digest else None
    _progress(row, Status.MATCHING if uploaded is not None else Status.FETCHING)
    try:
        with schema_context(row.shop.schema_name):
            outcome = shop_side().statement_import(
                rail=row.provider, livemode=row.livemode, day=row.statement_date, lines=uploaded
            )
            outbox_drain_and_apply(shop=row.shop, clock=clock)
    except DomainError as error:
        _progress(row, Status.FAILED, **import_failure_fields(error), finished_at=clock.now())
    else:
        _progress(row, Status.DONE, lines=outcome.lines, matched=outcome.matched, mismatches=outcome.mismatches,
                  line_results=[asdict(result) for result in outcome.results], finished_at=clock.now(),
                  lines_json=[])  # fmt: skip
    row.refresh_from_db()
    return row
