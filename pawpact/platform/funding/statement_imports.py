"""Provider statements a platform admin imports for one shop and one day.

The admin either asks for the statement to be fetched from the provider (Alipay and
WeChat Pay with the shop's own credentials; Stripe's balance transactions of the day with
the platform's key, the shop's lines told apart by the schema in their metadata), or
uploads the provider's file. The file is read here, before anything is written: a
malformed one is refused with the line that is wrong. The import then runs as a task that
moves through queued → fetching → matching → done (or failed, with the provider's reason),
which the console shows while it runs; the matching happens in the shop's schema (billing)
and its result reaches the mismatch list through the shop's outbox, drained at once
(pawpact.platform.funding.statement_matching).

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

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.payments.base import StatementLine
from pawpact.payments.enums import Rail
from pawpact.payments.statement_files import MAX_BYTES, statement_file_read
from pawpact.platform.enums import StatementImportStatus as Status
from pawpact.platform.funding.errors import StatementImportInvalid
from pawpact.platform.models import StatementImport
from pawpact.platform.tasks import statement_import_run_task
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import platform_livemode

IMPORT_PROVIDERS = (Rail.ALIPAY, Rail.WECHAT, Rail.STRIPE)
FETCHABLE_PROVIDERS = (Rail.ALIPAY, Rail.WECHAT, Rail.STRIPE)  # the providers with a statement download API we speak


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
        transaction.on_commit(lambda: statement_import_run_task.delay(row.pk), robust=True)
    return row, True


def statement_import_list(*, limit: int = 20):
    # The lines are read on an import's own page; a list of imports needs only their counts.
    return StatementImport.objects.select_related("shop", "requested_by").defer("lines_json", "line_results")[:limit]
