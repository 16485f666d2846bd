"""The outbox drain: a shop's outbox events → public PlatformEvent rows, exactly once,
then applied to the platform's funding books in order.

`outbox_drain_shop` is the one place that reads a shop schema; it runs in that shop's
schema (the tenant task platform.outbox_drain_shop, fanned out by the public dispatcher
platform.outbox_drain_dispatch over ready shops). Per batch, in one transaction, under a
lock on the shop's ShopDrainState row (one drain per shop at a time):
  1. read the oldest unpublished OutboxEvent rows, in id order;
  2. INSERT them as PlatformEvent rows ... ON CONFLICT (shop, tenant_event_id) DO NOTHING;
  3. mark them published; advance ShopDrainState.last_event_id.
Both sides live in one database, so a batch is all or nothing; and if copying and
marking were ever split (another database, a worker killed between two transactions),
the conflict clause still copies each event once: the next run re-reads the unmarked
rows and inserts nothing new. After the batches, ShopDrainState records what is still
waiting (pending_count, oldest_pending_at: more than a run takes, or written meanwhile)
and drained_at. The console shows those figures (the lag) and the events not yet applied.

`platform_events_apply` then applies the shop's PlatformEvents not yet applied, in id
order (the order the shop wrote them, so per contract too), each in its own
transaction with the event row locked; applied_at marks it done. Every applier is
idempotent on its own (unique advance per contract, unique journal keys, one closing
per advance), so a crash between applying and marking changes nothing on replay.
An event whose applier fails with an unexpected error stops the shop's apply there
(later events wait: order matters); it is logged and retried on the next run.

Payloads the funding appliers read (extra keys are ignored):
  contract.signed     {"contract_uuid", "total_minor", "monthly_amount_minor", "periods",
                       "currency", "signed_at" (ISO 8601), ...}  (billing.contract_signed_payload)
                      → advance_create (an advance refused by the terms is logged, not retried)
  debit.paid          {"contract_uuid", "period_number", "amount_minor", "currency",
                       "attempt_number", "at" (ISO 8601), ...}   (billing.debit_event_payload)
                      → collection_record
  contract.terminated {"contract_uuid", "reason", "paid_periods", "periods", "remaining_minor",
                       "penalty_minor", "refund_minor", "currency", "at", ...}
                      (billing.services.termination.terminated_payload; only contract_uuid and
                      reason are read: the amounts come from the platform's own books, which
                      hold every debit.paid applied before it)
                      reason early_termination | pet_loss | cooling_off | default → advance_close;
                      shop_closure → advance_close as an early termination (the shop ended it);
                      completion (or anything else) has no funding effect, logged.
  reconciliation.done {"provider", "statement_date", "lines", "matched", "mismatches", "at"}
                      → the shop's open reconciliation mismatches of that day (funding.reconciliation)
Other kinds (debit.failed, period.overdue, ...) have no funding effect; they are marked
applied as well, and read by the KPI facts from the PlatformEvent table.

Every event carries the mode of the record it is about (`livemode`, copied from the
outbox row). The platform applies and counts only the events of its own mode
(pawpact.tenants.modes.platform_livemode): a live platform never funds, collects or
reports a test-mode contract; the others are marked applied and left out.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime
from django_tenants.utils import get_public_schema_name

from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import EventKind
from pawpact.outbox.selectors import outbox_unpublished_batch, outbox_waiting
from pawpact.outbox.services import outbox_mark_published
from pawpact.platform.enums import ClawbackReason
from pawpact.platform.funding.advances import ContractBought, advance_close, advance_create, collection_record
from pawpact.platform.funding.errors import AdvanceRefused
from pawpact.platform.funding.reconciliation import reconciliation_result_apply
from pawpact.platform.models import PlatformEvent, ShopDrainState
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import platform_livemode

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A run drains at most this many batches; the rest is counted as pending for the next tick.
MAX_BATCHES = 40
APPLY_BATCH_SIZE = 500


@dataclass
class DrainReport:
    copied: int = 0
    published: int = 0
    pending: int = 0
    applied: int = 0


class WrongShopSchema(RuntimeError):
    pass


def _state_locked(shop_id: int) -> ShopDrainState:
    ShopDrainState.objects.get_or_create(shop_id=shop_id)
    return ShopDrainState.objects.select_for_update().get(shop_id=shop_id)


def platform_events_insert(*, shop_id: int, events: list[dict], now: datetime) -> int:
    """Copy outbox rows into PlatformEvent once: INSERT ... ON CONFLICT DO NOTHING. Returns
    how many were new."""
    if not events:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.platform_platformevent"
            " (shop_id, tenant_event_id, kind, aggregate_uuid, payload, livemode, occurred_at, received_at)"
            " SELECT %s, e.id, e.kind, e.aggregate_uuid, e.payload, e.livemode, e.occurred_at, %s"
            " FROM unnest(%s::bigint[], %s::varchar[], %s::uuid[], %s::jsonb[], %s::boolean[], %s::timestamptz[])"
            " AS e(id, kind, aggregate_uuid, payload, livemode, occurred_at) ORDER BY e.id"
            " ON CONFLICT (shop_id, tenant_event_id) DO NOTHING",
            [
                shop_id,
                now,
                [e["id"] for e in events],
                [e["kind"] for e in events],
                [e["aggregate_uuid"] for e in events],
                [_json(e["payload"]) for e in events],
                [bool(e.get("livemode")) for e in events],
                [e["created_at"] for e in events],
            ],
        )
        return cursor.rowcount


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder)


def outbox_drain_shop(
    *, shop: Shop, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES, clock: Clock = default_clock
) -> DrainReport:
    """Copy the shop's unpublished outbox events into PlatformEvent (run in the shop's schema)."""
    if connection.schema_name != shop.schema_name or shop.schema_name == get_public_schema_name():
        raise WrongShopSchema(f"drain {shop.schema_name} from its own schema, not {connection.schema_name!r}")
    report = DrainReport()
    for _batch in range(max_batches):
        with transaction.atomic():
            state = _state_locked(shop.pk)
            events = outbox_unpublished_batch(limit=batch_size)
            if not events:
                break
            now = clock.now()
            report.copied += platform_events_insert(shop_id=shop.pk, events=events, now=now)
            ids = [e["id"] for e in events]
            report.published += outbox_mark_published(ids=ids, at=now)
            state.last_event_id = max(state.last_event_id, ids[-1])
            state.save(update_fields=["last_event_id"])
        if len(events) < batch_size:
            break
    with transaction.atomic():
        state = _state_locked(shop.pk)
        waiting = outbox_waiting()
        state.pending_count = waiting["count"]
        state.oldest_pending_at = waiting["oldest"]
        state.drained_at = clock.now()
        state.save(update_fields=["pending_count", "oldest_pending_at", "drained_at"])
    report.pending = state.pending_count
    return report


# --- applying drained events ----------------------------------------------------------------


def _uuid(payload: dict, key: str = "contract_uuid") -> UUID:
    return UUID(str(payload[key]))


def _at(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _apply_contract_signed(event: PlatformEvent, clock: Clock) -> None:
    p = event.payload
    contract = ContractBought(
        shop_id=event.shop_id,
        contract_uuid=_uuid(p),
        value_minor=int(p["total_minor"]),
        monthly_amount_minor=int(p["monthly_amount_minor"]),
        periods=int(p["periods"]),
        currency=p.get("currency", "CNY"),
        signed_at=_at(p.get("signed_at")) or event.occurred_at,
    )
    try:
        advance_create(contract=contract, clock=clock)
    except AdvanceRefused:
        pass  # logged by the service; the contract stays the shop's


def _apply_debit_paid(event: PlatformEvent, clock: Clock) -> None:
    p = event.payload
    collection_record(
        shop_id=event.shop_id,
        contract_uuid=_uuid(p),
        amount_minor=int(p["amount_minor"]),
        currency=p.get("currency", "CNY"),
        period_number=int(p["period_number"]),
        attempt_number=int(p.get("attempt_number", 1)),
        at=clock.now(),
    )


# Termination reasons billing emits that close an advance as another reason.
REASON_ALIASES = {"shop_closure": ClawbackReason.EARLY_TERMINATION}


def _apply_contract_terminated(event: PlatformEvent, clock: Clock) -> None:
    reason = event.payload.get("reason")
    reason = REASON_ALIASES.get(reason, reason)
    if reason not in ClawbackReason.values:
        logger.warning("event %s: contract.terminated with reason %r has no funding effect", event.pk, reason)
        return
    advance_close(shop_id=event.shop_id, contract_uuid=_uuid(event.payload), reason=reason, clock=clock)


APPLIERS: dict[str, Callable[[PlatformEvent, Clock], None]] = {
    EventKind.CONTRACT_SIGNED: _apply_contract_signed,
    EventKind.DEBIT_PAID: _apply_debit_paid,
    EventKind.CONTRACT_TERMINATED: _apply_contract_terminated,
    EventKind.RECONCILIATION_DONE: reconciliation_result_apply,
}


def platform_event_apply(*, event_id: int, clock: Clock = default_clock) -> bool:
    """Apply one drained event once; False if it was already applied."""
    with transaction.atomic():
        event = PlatformEvent.objects.select_for_update().filter(pk=event_id, applied_at__isnull=True).first()
        if event is None:
            return False
        applier = APPLIERS.get(event.kind)
        # The platform's books hold facts of its own mode: a test-mode contract is never
        # funded, collected or clawed back by a live platform (and live facts never enter
        # a test platform's pretend books).
        if applier is not None and event.livemode == platform_livemode():
            applier(event, clock)
        event.applied_at = clock.now()
        event.save(update_fields=["applied_at"])
    return True


def platform_events_apply(*, shop_id: int, clock: Clock = default_clock) -> int:
    """Apply the shop's drained events not yet applied, in order; returns how many."""
    applied = 0
    last_id = 0
    while True:
        ids = list(
            PlatformEvent.objects.filter(shop_id=shop_id, applied_at__isnull=True, id__gt=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:APPLY_BATCH_SIZE]
        )
        if not ids:
            return applied
        for event_id in ids:
            try:
                applied += platform_event_apply(event_id=event_id, clock=clock)
            except Exception:
                logger.exception("shop %s: event %s could not be applied; later events wait", shop_id, event_id)
                raise
        last_id = ids[-1]


def outbox_drain_and_apply(*, shop: Shop, clock: Clock = default_clock) -> DrainReport:
    """What the per-shop task does: drain the outbox, then apply what was drained."""
    report = outbox_drain_shop(shop=shop, clock=clock)
    report.applied = platform_events_apply(shop_id=shop.pk, clock=clock)
    return report
