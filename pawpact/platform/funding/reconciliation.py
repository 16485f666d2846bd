"""The platform's view of reconciliation: each shop's `reconciliation.done` facts become
open mismatches (amount, age) in the console and in the platform ledger check.

A day's result replaces that day's: mismatches it no longer lists are resolved as matched,
new ones are opened, the ones still listed stay open since they were first seen. A
mismatch a platform admin resolved (with a reason and a note) stays resolved when the day
is imported again: the person's judgement is not undone by the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.platform.enums import MismatchResolution
from pawpact.platform.funding.errors import MismatchAlreadyResolved, MismatchResolutionInvalid
from pawpact.platform.models import PlatformEvent, ReconciliationMismatch

# Reasons a person may give; `matched` is only ever set by a later statement.
MANUAL_RESOLUTIONS = [choice for choice in MismatchResolution.choices if choice[0] != MismatchResolution.MATCHED]
NOTE_MAX = 1000
RECORD_FIELDS = {"provider_reference": 64, "our_record": 16, "our_key": 255}


def reconciliation_result_apply(event: PlatformEvent, clock: Clock = default_clock) -> None:
    payload = event.payload
    day = parse_date(str(payload.get("statement_date", "")))
    provider = str(payload.get("provider", ""))[:16]
    if day is None or not provider:
        return
    listed = {(str(m["kind"])[:24], str(m["reference"])[:64]): m for m in payload.get("mismatches") or []}
    # Stripe transfers of the shop's payouts are the platform's lines (transfer_reconciliation), not its statement's.
    day_rows = ReconciliationMismatch.objects.filter(shop_id=event.shop_id, provider=provider,
                                                     statement_date=day).exclude(our_record="payout")  # fmt: skip
    now = clock.now()
    existing = {(row.kind, row.reference): row for row in day_rows}
    for key, row in existing.items():
        if row.resolved_at is None and key not in listed:
            row.resolved_at, row.resolution = now, MismatchResolution.MATCHED
            row.save(update_fields=["resolved_at", "resolution"])
    for (kind, reference), mismatch in listed.items():
        amounts = {"amount_minor": int(mismatch["amount_minor"]), "our_amount_minor": int(mismatch["our_amount_minor"])}
        records = {field: str(mismatch.get(field) or "")[:size] for field, size in RECORD_FIELDS.items()}
        row = existing.get((kind, reference))
        if row is None:
            ReconciliationMismatch.objects.create(shop_id=event.shop_id, provider=provider, statement_date=day,
                                                  kind=kind, reference=reference, first_seen_at=now, **amounts,
                                                  **records)  # fmt: skip
        elif row.resolved_by_id is None and _changed(row, amounts):
            # Reopened: a statement matched before lists it again.
            ReconciliationMismatch.objects.filter(pk=row.pk).update(resolved_at=None, resolution="", **amounts,
                                                                    **records)  # fmt: skip


def _changed(row: ReconciliationMismatch, amounts: dict) -> bool:
    return row.resolved_at is not None or any(getattr(row, field) != value for field, value in amounts.items())


@dataclass(frozen=True)
class MismatchFilter:
    provider: str = ""
    state: str = "open"  # open | resolved | all
    min_age_days: int = 0


def mismatch_list(*, filters: MismatchFilter, today: date) -> QuerySet[ReconciliationMismatch]:
    rows = ReconciliationMismatch.objects.select_related("shop", "resolved_by").order_by("statement_date", "id")
    if filters.provider:
        rows = rows.filter(provider=filters.provider)
    if filters.state == "open":
        rows = rows.filter(resolved_at__isnull=True)
    elif filters.state == "resolved":
        rows = rows.filter(resolved_at__isnull=False)
    if filters.min_age_days:
        rows = rows.filter(statement_date__lte=today - timedelta(days=filters.min_age_days))
    return rows


def mismatch_open_list() -> QuerySet[ReconciliationMismatch]:
    return ReconciliationMismatch.objects.filter(resolved_at__isnull=True).select_related("shop")


def mismatch_age_days(mismatch: ReconciliationMismatch, *, today: date) -> int:
    return (today - mismatch.statement_date).days


def mismatch_resolve(
    *, mismatch_id: int, resolution: str, note: str, resolved_by: User, clock: Clock = default_clock
) -> ReconciliationMismatch:
    """Close an open mismatch with a person's reason and note; who and when are kept.
    A bad reason or an empty note, or a mismatch already closed, writes nothing."""
    note = (note or "").strip()
    problems: dict[str, list[str]] = {}
    if resolution not in dict(MANUAL_RESOLUTIONS):
        problems["resolution"] = [_("Choose a reason.")]
    if not note:
        problems["note"] = [_("Say what was checked or done.")]
    elif len(note) > NOTE_MAX:
        problems["note"] = [_("At most %(count)d characters.") % {"count": NOTE_MAX}]
    if problems:
        raise MismatchResolutionInvalid(_("The mismatch was not resolved."), fields=problems)
    with transaction.atomic():
        mismatch = ReconciliationMismatch.objects.select_for_update().get(pk=mismatch_id)
        if mismatch.resolved_at is not None:
            raise MismatchAlreadyResolved(_("This mismatch was resolved already."))
        mismatch.resolved_at = clock.now()
        mismatch.resolution, mismatch.resolution_note, mismatch.resolved_by = resolution, note, resolved_by
        mismatch.save(update_fields=["resolved_at", "resolution", "resolution_note", "resolved_by"])
    return mismatch

