"""The debit run of one shop: charge every due period once, fast, never twice.

Batched, because a debit on its own (`period_collect`) costs two transactions and
about twenty statements; a batch of 500 shares a handful of each:
1. claim: one transaction takes a batch of due periods with SELECT … FOR UPDATE
   SKIP LOCKED (an overlapping run skips them), inserts their STARTED attempts
   and marks the periods attempted, then commits;
2. charge: the rail is called per debit, outside any transaction, with each
   attempt's idempotency key; a remote rail's calls run in threads while the
   previous batch is recorded (`rail_calls`, `pawpact.payments.rail_batches`);
3. record: one transaction per batch writes every known outcome with bulk
   statements — the same states, journals and outbox rows as `attempt_finish`,
   built by the same `outcome_build`.
A worker killed between 1 and 3 leaves STARTED attempts; once older than
IN_FLIGHT_LEASE a later run resumes them with their own keys, and the rail answers
a repeated key with its first outcome. The partial unique indexes on DebitAttempt
refuse whatever slips past all of this.

`debit_run_naive` is the simple path, one `period_collect` per debit: the
benchmark's baseline, and a fallback that needs no batching to be right.
"""
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from pawpact.billing.clock_scope import clock_scope_q
from pawpact.billing.enums import AttemptStatus, JournalKind, PeriodStatus
from pawpact.billing.errors import UnbalancedJournal
from pawpact.billing.models import DebitAttempt, DebitPeriod, Journal, LedgerLine
from pawpact.billing.selectors import attempt_stale_list, period_due_list
from pawpact.billing.services.debits import (
    IN_FLIGHT_LEASE,
    Outcome,
    attempt_finish,
    attempt_key,
    outcome_build,
    paid_publish,
    period_collect,
)
from pawpact.billing.services.rail_calls import RailCalls
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.base import ChargeResult
from pawpact.payments.rail_batches import batches_charge

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class RunReport:
    attempted: int = 0  # rail calls made (new attempts and resumed ones)
    resumed: int = 0
    succeeded: int = 0
    failed: int = 0
    unknown: int = 0  # left STARTED: asked again by a later run

    def add(self, results: Iterable[ChargeResult]) -> None:
        for result in results:
            self.attempted += 1
            if result.is_unknown:
                self.unknown += 1
            elif result.succeeded:
                self.succeeded += 1
            else:
                self.failed += 1


def debit_run_shop(
    *,
    clock: Clock = default_clock,
    batch_size: int = BATCH_SIZE,
    resume_after: timedelta = IN_FLIGHT_LEASE,
) -> RunReport:
    """Run the current shop's debits: resume stale attempts, then charge due periods once each.

    `resume_after` is how old a STARTED attempt must be before it counts as abandoned;
    pass timedelta(0) only when no other run can be alive (the benchmark after a kill).
    """
    report = RunReport()
    batches_charge(
        _claims(clock=clock, batch_size=batch_size, resume_after=resume_after, report=report),
        calls=RailCalls(),
        record=lambda results: _record_answers(results, clock=clock, report=report),
    )
    return report


def _claims(*, clock: Clock, batch_size: int, resume_after: timedelta, report: RunReport) -> Iterator[list[DebitAttempt]]:
    """Batches of STARTED attempts to charge: abandoned ones first, then new ones for due periods."""
    last_id = 0
    while batch := _stale_claim(after_id=last_id, clock=clock, resume_after=resume_after, batch_size=batch_size):
        last_id = batch[-1].pk
        report.resumed += len(batch)
        yield batch
    while batch := _due_claim(clock=clock, batch_size=batch_size):
        yield batch


def debit_run_naive(*, clock: Clock = default_clock) -> RunReport:
    """The same debits, one `period_collect` (two transactions) per period."""
    report = RunReport()
    now = clock.now()
    for period in list(period_due_list(at=now).filter(clock_scope_q(clock)).select_related("contract__payment_method")):
        try:
            attempt = period_collect(period=period, clock=clock)
        except DomainError:
            # Changed since it was listed (paid, cancelled, rail closed): not due any more.
            continue
        report.attempted += 1
        if attempt.status == AttemptStatus.SUCCEEDED:
            report.succeeded += 1
        elif attempt.status == AttemptStatus.FAILED:
            report.failed += 1
        else:
            report.unknown += 1
    return report


def _stale_claim(*, after_id: int, clock: Clock, resume_after: timedelta, batch_size: int) -> list[DebitAttempt]:
    """Abandoned STARTED attempts. Not locked: two runs may both ask the rail about one,
    which answers the repeated key with the same outcome; only one records it."""
    now = clock.now()
    stale = attempt_stale_list(started_before=now - resume_after, at=now).filter(clock_scope_q(clock, prefix="period__contract__"))
    return list(stale.filter(pk__gt=after_id)[:batch_size])


def _due_claim(*, clock: Clock, batch_size: int) -> list[DebitAttempt]:
    """Take a batch of due periods for this run and commit their STARTED attempts."""
    now = clock.now()
    with transaction.atomic():
        periods = list(
            period_due_list(at=now)
            .filter(clock_scope_q(clock))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("contract__payment_method")
            # Only what charging and recording read: a contract row carries its agreement text.
            .only(*CLAIM_FIELDS)[:batch_size]
        )
        if not periods:
            return []
        ids = [period.pk for period in periods]
        last_numbers = dict(
            DebitAttempt.objects.filter(period_id__in=ids)
            .values("period_id")
            .annotate(last=Max("number"))
            .values_list("period_id", "last")
        )
        attempts = []
        for period in periods:
            number = last_numbers.get(period.pk, 0) + 1
            attempts.append(
                DebitAttempt(
                    period=period,
                    number=number,
                    idempotency_key=attempt_key(
                        contract=period.contract, period_number=period.number, attempt_number=number
                    ),
                    rail=period.contract.payment_method.rail,
                    amount_minor=period.amount_minor,
                    status=AttemptStatus.STARTED,
                    started_at=now,
                )
            )
        _attempts_insert(attempts)
        DebitPeriod.objects.filter(pk__in=ids).update(status=PeriodStatus.ATTEMPTED)
    return attempts


CLAIM_FIELDS = (
    "id", "contract_id", "number", "amount_minor", "currency", "status", "paid_at",
    "contract__id", "contract__uuid", "contract__livemode", "contract__payment_method__id", "contract__payment_method__rail",
    "contract__payment_method__token", "contract__payment_method__rail_customer_ref",
)  # fmt: skip


def _record_answers(results: list[tuple[DebitAttempt, ChargeResult]], *, clock: Clock, report: RunReport) -> None:
    report.add(result for _, result in results)
    known = [(attempt, result) for attempt, result in results if not result.is_unknown]
    if not known:
        return
    try:
        with transaction.atomic():
            recorded = _record(known, now=clock.now())
        paid_publish(recorded, clock=clock)
    except DatabaseError:
        # One bad row must not block the batch: record them one by one instead.
        logger.exception("Recording a batch of %d debit outcomes failed; recording one by one", len(known))
        for attempt, result in known:
            try:
                attempt_finish(attempt_id=attempt.pk, result=result, clock=clock)
            except DatabaseError:
                logger.exception("Recording attempt %s failed; it stays STARTED", attempt.idempotency_key)


# The batch writes below are single statements over arrays (UPDATE/INSERT … unnest):
# the ORM's bulk_create and bulk_update cost more in Python than PostgreSQL spends on
# the rows. They write exactly the rows `attempt_finish` writes, built by `outcome_build`.


def _record(known: list[tuple[DebitAttempt, ChargeResult]], *, now: datetime) -> list[Outcome]:
    """Write known outcomes for the attempts still STARTED (a webhook or another run may
    have finished some), under the same period → attempt locks as attempt_finish."""
    period_ids = sorted({attempt.period_id for attempt, _ in known})
    attempt_ids = sorted(attempt.pk for attempt, _ in known)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {_table(DebitPeriod)} WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [period_ids])
        cursor.execute(
            f"SELECT id FROM {_table(DebitAttempt)} WHERE id = ANY(%s) AND status = %s ORDER BY id FOR UPDATE",
            [attempt_ids, AttemptStatus.STARTED.value],
        )
        still_started = {row[0] for row in cursor.fetchall()}
    outcomes = [
        outcome_build(attempt=attempt, period=attempt.period, result=result, now=now)
        for attempt, result in known
        if attempt.pk in still_started
    ]
    if not outcomes:
        return []
    _attempts_update([outcome.attempt for outcome in outcomes])
    paid = [outcome.period.pk for outcome in outcomes if outcome.period.status == PeriodStatus.PAID]
    failed = [outcome.period.pk for outcome in outcomes if outcome.period.status == PeriodStatus.FAILED]
    if paid:
        DebitPeriod.objects.filter(pk__in=paid).update(status=PeriodStatus.PAID, paid_at=now)
    if failed:
        DebitPeriod.objects.filter(pk__in=failed).update(status=PeriodStatus.FAILED)
    _journals_insert([outcome for outcome in outcomes if outcome.journal_key is not None], now=now)
    _events_insert(outcomes, now=now)
    return outcomes


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _attempts_insert(attempts: list[DebitAttempt]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(DebitAttempt)} (period_id, number, idempotency_key, rail, amount_minor, status,"
            " outcome, decline_type, rail_reference, started_at)"
            " SELECT v.period_id, v.number, v.key, v.rail, v.amount, %s, '', '', '', %s"
            " FROM unnest(%s::bigint[], %s::int[], %s::text[], %s::text[], %s::bigint[])"
            " AS v(period_id, number, key, rail, amount) RETURNING id, period_id",
            [
                AttemptStatus.STARTED.value,
                attempts[0].started_at,
                [a.period_id for a in attempts],
                [a.number for a in attempts],
                [a.idempotency_key for a in attempts],
                [a.rail for a in attempts],
                [a.amount_minor for a in attempts],
            ],
        )
        ids = dict((period_id, pk) for pk, period_id in cursor.fetchall())
    for attempt in attempts:
        attempt.pk = ids[attempt.period_id]
        attempt._state.adding = False


def _attempts_update(attempts: list[DebitAttempt]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(DebitAttempt)} AS a SET status = v.status, outcome = v.outcome,"
            " decline_type = v.decline_type, rail_reference = v.rail_reference, finished_at = v.finished_at"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[])"
            " AS v(id, status, outcome, decline_type, rail_reference, finished_at) WHERE a.id = v.id",
            [
                [a.pk for a in attempts],
                [a.status for a in attempts],
                [a.outcome for a in attempts],
                [a.decline_type for a in attempts],
                [a.rail_reference for a in attempts],
                [a.finished_at for a in attempts],
            ],
        )


def _journals_insert(outcomes: list[Outcome], *, now: datetime) -> None:
    """The 'period paid' journals and their lines. Unique keys: a journal posted twice
    fails the whole batch (then recorded one by one), never doubles."""
    if not outcomes:
        return
    lines = []
    for outcome in outcomes:
        if sum(line.amount_minor for line in outcome.lines) != 0:
            raise UnbalancedJournal(f"Journal {outcome.journal_key} does not balance: {outcome.lines}")
        contract_id = outcome.period.contract_id
        lines += [
            (outcome.journal_key, line.account.value, line.amount_minor, outcome.period.currency, contract_id)
            for line in outcome.lines
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Journal)} (idempotency_key, kind, memo, contract_id, attempt_id, created_at)"
            " SELECT v.key, %s, '', v.contract_id, v.attempt_id, %s"
            " FROM unnest(%s::text[], %s::bigint[], %s::bigint[]) AS v(key, contract_id, attempt_id)",
            [
                JournalKind.PERIOD_PAID,
                now,
                [o.journal_key for o in outcomes],
                [o.period.contract_id for o in outcomes],
                [o.attempt.pk for o in outcomes],
            ],
        )
        cursor.execute(
            f"INSERT INTO {_table(LedgerLine)} (journal_id, account, amount_minor, currency, contract_id)"
            " SELECT j.id, v.account, v.amount, v.currency, v.contract_id"
            " FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[], %s::bigint[])"
            " WITH ORDINALITY AS v(key, account, amount, currency, contract_id, position)"
            f" JOIN {_table(Journal)} AS j ON j.idempotency_key = v.key ORDER BY v.position",
            [list(column) for column in zip(*lines, strict=True)],
        )


def _events_insert(outcomes: list[Outcome], *, now: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(OutboxEvent)} (kind, aggregate_uuid, payload, livemode, created_at)"
            " SELECT v.kind, v.aggregate_uuid, v.payload::jsonb, v.livemode, %s"
            " FROM unnest(%s::text[], %s::uuid[], %s::text[], %s::boolean[])"
            " WITH ORDINALITY AS v(kind, aggregate_uuid, payload, livemode, position)"
            " ORDER BY v.position",
            [
                now,
                [o.event_kind for o in outcomes],
                [o.period.contract.uuid for o in outcomes],
                [json.dumps(o.event_payload) for o in outcomes],
                [o.period.contract.livemode for o in outcomes],
            ],
        )
