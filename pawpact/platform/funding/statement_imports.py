"""Provider statements a platform admin imports for one shop and one day.

The admin either asks for the statement to be fetched from the provider with the shop's
own credentials (Alipay, WeChat Pay), or uploads the provider's file (those two, and
Stripe's balance transactions). The file is read here, before anything is written: a
malformed one is refused with the line that is wrong. The import then runs as a task that
moves through queued → fetching → matching → done (or failed, with the provider's reason),
which the console shows while it runs; the matching happens in the shop's schema (billing)
and its result reaches the mismatch list through the shop's outbox, drained at once.

Importing the same statement again changes nothing: the same uploaded file of the same
day is answered with its earlier import, and a fetched statement that has not changed
matches to the same mismatches (a day's result replaces that day's).
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.payments.base import StatementLine
from pawpact.payments.enums import Rail
from pawpact.payments.statement_files import MAX_BYTES, statement_file_read
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.enums import StatementImportStatus as Status
from pawpact.platform.funding.errors import StatementImportInvalid
from pawpact.platform.models import StatementImport
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import platform_livemode
from pawpact.tenants.ports import shop_side

IMPORT_PROVIDERS = (Rail.ALIPAY, Rail.WECHAT, Rail.STRIPE)
FETCHABLE_PROVIDERS = (Rail.ALIPAY, Rail.WECHAT)  # the providers with a statement download API we speak
FINISHED = (Status.DONE, Status.FAILED)


def _request_check(*, provider: str, day: date, upload: UploadedFile | None, clock: Clock) -> None:
    problems: dict[str, list[str]] = {}
    if provider not in IMPORT_PROVIDERS:
        problems["provider"] = [_("Choose a provider.")]
    elif upload is None and provider not in FETCHABLE_PROVIDERS:
        problems["file"] = [_("This provider's statement cannot be fetched: upload its file.")]
    if day > clock.today():
        problems["statement_date"] = [_("A statement of a future day does not exist yet.")]
    if problems:
        raise StatementImportInvalid(_("The statement was not imported."), fields=problems)


def statement_import_request(
    *, shop: Shop, provider: str, day: date, requested_by: User, upload: UploadedFile | None = None,
    clock: Clock = default_clock,
) -> tuple[StatementImport, bool]:  # fmt: skip
    """(the import, whether it is new). An upload is read and checked before anything is
    written; the same file of the same day again answers with its earlier import."""
    _request_check(provider=provider, day=day, upload=upload, clock=clock)
    lines: list[StatementLine] = []
    digest = filename = ""
    if upload is not None:
        content = upload.read(MAX_BYTES + 1)
        lines = statement_file_read(rail=provider, content=content)
        digest, filename = hashlib.sha256(content).hexdigest(), (upload.name or "")[:200]
        earlier = StatementImport.objects.filter(
            shop=shop, provider=provider, statement_date=day, digest=digest, status=Status.DONE
        ).first()
        if earlier is not None:
            return earlier, False
    with transaction.atomic():
        row = StatementImport.objects.create(
            shop=shop, provider=provider, livemode=platform_livemode(), statement_date=day, filename=filename,
            digest=digest, lines_json=[asdict(line) for line in lines], lines=len(lines),
            status=Status.QUEUED, requested_by=requested_by, created_at=clock.now(),
        )  # fmt: skip
        transaction.on_commit(lambda: _enqueue(row.pk), robust=True)
    return row, True


def _enqueue(import_id: int) -> None:
    from pawpact.platform.tasks import statement_import_run_task  # the tasks module imports this one

    statement_import_run_task.delay(import_id)


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
        _progress(row, Status.FAILED, error=error.message, finished_at=clock.now())
    else:
        _progress(row, Status.DONE, lines=outcome.lines, matched=outcome.matched, mismatches=outcome.mismatches,
                  finished_at=clock.now(), lines_json=[])  # fmt: skip
    row.refresh_from_db()
    return row


def statement_import_list(*, limit: int = 20):
    return StatementImport.objects.select_related("shop", "requested_by")[:limit]
