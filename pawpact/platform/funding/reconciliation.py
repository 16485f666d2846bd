"""The platform's view of reconciliation: each shop's `reconciliation.done` facts become
open mismatches (amount, age) in the console and in the platform ledger check.

A day's result replaces that day's: mismatches it no longer lists are resolved, new ones
are opened, the ones still listed stay open since they were first seen.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.dateparse import parse_date

from pawpact.core.clock import Clock, default_clock
from pawpact.platform.models import PlatformEvent, ReconciliationMismatch


def reconciliation_result_apply(event: PlatformEvent, clock: Clock = default_clock) -> None:
    payload = event.payload
    day = parse_date(str(payload.get("statement_date", "")))
    provider = str(payload.get("provider", ""))[:16]
    if day is None or not provider:
        return
    listed = {(m["kind"], m["reference"]): m for m in payload.get("mismatches") or []}
    day_rows = ReconciliationMismatch.objects.filter(shop_id=event.shop_id, provider=provider, statement_date=day)
    now = clock.now()
    for row in day_rows.filter(resolved_at__isnull=True):
        if (row.kind, row.reference) not in listed:
            row.resolved_at = now
            row.save(update_fields=["resolved_at"])
    for (kind, reference), mismatch in listed.items():
        ReconciliationMismatch.objects.update_or_create(
            shop_id=event.shop_id, provider=provider, statement_date=day, kind=str(kind)[:24],
            reference=str(reference)[:64],
            defaults={"amount_minor": int(mismatch["amount_minor"]), "our_amount_minor": int(mismatch["our_amount_minor"]),
                      "resolved_at": None},
            create_defaults={"amount_minor": int(mismatch["amount_minor"]),
                             "our_amount_minor": int(mismatch["our_amount_minor"]), "first_seen_at": now},
        )  # fmt: skip


def mismatch_open_list() -> QuerySet[ReconciliationMismatch]:
    return ReconciliationMismatch.objects.filter(resolved_at__isnull=True).select_related("shop")


def mismatch_age_days(mismatch: ReconciliationMismatch, *, today: date) -> int:
    return (today - mismatch.statement_date).days
