"""Facts the platform layer needs, written in the caller's transaction.

Every kind and its payload fields are catalogued in pawpact.core.events; an emit
with a kind or payload the catalogue does not define is a programming error.
"""
import functools
import inspect
import logging
import uuid

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from pawpact.core.clock import Clock, default_clock, fact_time
from pawpact.core.errors import DomainError
from pawpact.core.events import CATALOGUE, PROMPT_KINDS, event_payload_check
from pawpact.outbox import tasks as outbox_tasks  # a module: the tasks import this one back
from pawpact.outbox.models import OutboxEvent
from pawpact.tenants.ports import platform_side

logger = logging.getLogger(__name__)


def outbox_emit(*, kind: str, aggregate_uuid: uuid.UUID, payload: dict, livemode: bool, react_later: bool = False) -> OutboxEvent:
    """`livemode`: the mode of the record the fact is about (the contract's), not the shop's today.

    `react_later`: the shop's own subscribers of the fact (as `shop_event_publish` would call
    them) run after the commit, in a task, instead of in the caller's transaction: what need
    not hold up the person waiting for the answer (a buyer's points after a paid order). The
    row is their durable record: a task lost with the broker is made up by the minute's sweep.
    """
    event_payload_check(kind=kind, payload=payload)
    event = OutboxEvent.objects.create(kind=kind, aggregate_uuid=aggregate_uuid, payload=payload, livemode=livemode,
                                       reactions_pending=react_later, published_at=_published_at(kind),
                                       created_at=fact_time())  # fmt: skip
    if react_later:
        schema_name = connection.schema_name
        transaction.on_commit(lambda: _reactions_soon(schema_name), robust=True)
    if kind in PROMPT_KINDS:
        # After commit only: a rolled-back fact must not reach the platform, and the drain
        # must see the row. Robust: a broker hiccup leaves the event to the minute's tick.
        schema_name = connection.schema_name  # the commit may come after the caller left the schema
        transaction.on_commit(lambda: platform_side().outbox_drain_soon(schema_name=schema_name), robust=True)
    return event


def _published_at(kind: str):
    """Now for a fact the platform does not take (webhooks only): the drain skips published rows."""
    return None if CATALOGUE[kind].platform else timezone.now()


def outbox_emit_many(*, kind: str, facts: list[tuple[uuid.UUID, dict]], livemode: bool) -> list[OutboxEvent]:
    """Many facts of one kind in one INSERT, for senders that write in batches; `facts` are
    (aggregate uuid, payload). No shop reactions and no prompt drain: for webhook-only kinds."""
    for _uuid, payload in facts:
        event_payload_check(kind=kind, payload=payload)
    published_at = _published_at(kind)
    return OutboxEvent.objects.bulk_create(
        OutboxEvent(kind=kind, aggregate_uuid=aggregate_uuid, payload=payload, livemode=livemode,
                    published_at=published_at, created_at=fact_time())
        for aggregate_uuid, payload in facts
    )  # fmt: skip


def outbox_mark_published(*, ids: list[int], at) -> int:
    """Mark drained events published; an event marked already is not counted again."""
    return OutboxEvent.objects.filter(id__in=ids, published_at__isnull=True).update(published_at=at)


def _reactions_soon(schema_name: str) -> None:
    with schema_context(schema_name):  # the task runs in the schema it is sent from
        outbox_tasks.shop_reactions_task.apply_async(expires=REACTIONS_EXPIRES_SECONDS)


# A send older than this is dropped by the worker: the minute's sweep has run the reactions by then.
REACTIONS_EXPIRES_SECONDS = 120


def shop_reactions_run(*, batch: int = 200, clock: Clock = default_clock) -> int:
    """Run the shop's subscribers of the facts emitted with `react_later`, each fact once:
    rows are taken with FOR UPDATE SKIP LOCKED, so a task and the sweep never run the same
    fact twice, and marked done in the same transaction. Subscribers are idempotent by the
    fact's key too (points by source key), so a replay after a crash changes nothing."""
    done = 0
    while True:
        with transaction.atomic():
            events = list(OutboxEvent.objects.select_for_update(skip_locked=True)
                          .filter(reactions_pending=True).order_by("id")[:batch])  # fmt: skip
            if not events:
                return done
            for kind in dict.fromkeys(event.kind for event in events):
                shop_events_publish(kind=kind, payloads=[e.payload for e in events if e.kind == kind], clock=clock)
            OutboxEvent.objects.filter(id__in=[event.id for event in events]).update(reactions_pending=False)
        done += len(events)


def shop_event_publish(*, kind: str, payload: dict, clock: Clock = default_clock) -> None:
    """Tell the shop's own subscribers (settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS: kind → dotted
    paths) about a fact that has been committed, so apps above the one that owns the fact
    (loyalty above billing) react without being imported by it. Each subscriber runs in
    its own savepoint: one failing never undoes the fact or the other subscribers."""
    shop_events_publish(kind=kind, payloads=[payload], clock=clock)


def shop_events_publish(*, kind: str, payloads: list[dict], clock: Clock = default_clock) -> None:
    """Many facts of one kind at once (a debit run's batch). A subscriber whose parameter is
    `payloads` takes them in one call and one transaction: a batch of 500 paid debits would
    otherwise cost each subscriber 500 commits. If that call fails, the facts are offered
    to it one at a time, so one bad fact costs only its own reaction."""
    for payload in payloads:
        event_payload_check(kind=kind, payload=payload)
    if not payloads:
        return
    for path in settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS.get(kind, ()):
        subscriber = import_string(path)
        if _takes_many(subscriber) and len(payloads) > 1 and _deliver(path, kind, subscriber, payloads, clock):
            continue
        for payload in payloads:
            _deliver(path, kind, subscriber, [payload], clock)


def _deliver(path: str, kind: str, subscriber, payloads: list[dict], clock: Clock) -> bool:
    try:
        with transaction.atomic():
            if _takes_many(subscriber):
                subscriber(payloads=payloads, clock=clock)
            else:
                subscriber(payload=payloads[0], clock=clock)
    except (DomainError, DatabaseError):
        logger.exception("Subscriber %s of %s failed for %d fact(s); the facts stand", path, kind, len(payloads))
        return False
    return True


@functools.cache
def _takes_many(subscriber) -> bool:
    return "payloads" in inspect.signature(subscriber).parameters
