"""The renewal run in batches, in the shape of the debit run (pawpact.billing.services.debit_run).

Renewing one membership at a time costs three transactions and a score of statements each;
a batch of 500 shares a handful:
1. claim: one transaction takes a batch of due memberships with SELECT … FOR UPDATE SKIP
   LOCKED (an overlapping run skips them), ends the cancelled ones, inserts the PAYING
   charges of the others with their idempotency keys, and commits;
2. charge: the rail is asked per charge outside any transaction, under the charge's key;
   a remote rail's calls run from a thread pool (the adapter resolved on the run's thread,
   nothing in a thread touches the database) while the previous batch is recorded
   (pawpact.payments.rail_batches, the debit run's skeleton too);
3. record: one transaction per batch writes the answers with bulk statements: the same
   charge states, membership periods, `membership.paid` journals and `membership.charged`
   events as `paid_charge_finish`, built by the same functions. Declines (rarer, each with
   a message to the member) are recorded one by one inside that transaction.
The key is the period's and the attempt's: `membership:<uuid>:<period start>:<attempt>`, and the
attempt number moves on only after a recorded decline. A worker killed between 1 and 3
leaves PAYING charges; a due membership with one is never claimed again, and once older
than the lease a later run asks the rail again under the same key, which answers with its
first outcome: killed and rerun, a period is charged once. The partial unique index on
paid charges refuses a second paid charge of a period whatever slips past this.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q

from pawpact.billing.enums import JournalKind
from pawpact.billing.models import Journal, LedgerLine
from pawpact.core.clock import Clock
from pawpact.core.events import EventKind, event_payload_check
from pawpact.loyalty import wallet_rail
from pawpact.loyalty.paid_membership import (
    charge_key,
    charged_payload,
    membership_ended_emit,
    paid_charge_finish,
    paid_journal_key,
    paid_lines,
    paid_membership_apply,
    paid_memo,
    renewal_failed,
)  # fmt: skip
from pawpact.loyalty.paid_models import LIVE, ChargeStatus, PaidCharge, PaidMembership, PaidStatus
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.base import ChargeResult
from pawpact.payments.rail_batches import RailBatchCalls, batches_charge
from pawpact.payments.registry import rail_for

logger = logging.getLogger(__name__)
BATCH_SIZE = 500


@dataclass
class RenewalReport:
    charged: int = 0  # rail calls made (new charges and resumed ones)
    resumed: int = 0
    succeeded: int = 0
    failed: int = 0
    unknown: int = 0
    ended: int = 0  # cancelled memberships ended at their period's end


def memberships_due(clock: Clock):
    return PaidMembership.objects.filter(status__in=LIVE, period_end__lte=clock.today()).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now())
    )


def renewal_batches_run(*, clock: Clock, batch_size: int = BATCH_SIZE, resume_after: timedelta) -> RenewalReport:
    """Resume charges whose answer was lost, then renew (or end) every membership due."""
    report = RenewalReport()
    batches_charge(
        _claims(clock=clock, batch_size=batch_size, resume_after=resume_after, report=report),
        calls=RenewalCalls(),
        record=lambda results: renewals_record(results, clock=clock, report=report),
    )
    return report


def _claims(*, clock: Clock, batch_size: int, resume_after: timedelta, report: RenewalReport) -> Iterator[list]:
    last_id = 0
    while batch := _stale(after_id=last_id, clock=clock, resume_after=resume_after, batch_size=batch_size):
        last_id = batch[-1].pk
        report.resumed += len(batch)
        yield batch
    while True:
        claimed, charges = renewal_claim(clock=clock, batch_size=batch_size, report=report)
        if not claimed:
            return
        if charges:
            yield charges


def _stale(*, after_id: int, clock: Clock, resume_after: timedelta, batch_size: int) -> list[PaidCharge]:
    """Charges PAYING longer than the lease (a worker lost, an answer that never came). Not
    locked: two runs may both ask the rail, which answers the key alike; one records it."""
    stale = PaidCharge.objects.filter(status=ChargeStatus.PAYING, created_at__lte=clock.now() - resume_after,
                                      pk__gt=after_id).select_related("payment_method", "membership__payment_method")  # fmt: skip
    return list(stale.order_by("id")[:batch_size])


def renewal_claim(*, clock: Clock, batch_size: int, report: RenewalReport) -> tuple[int, list[PaidCharge]]:
    """Take a batch of due memberships: end the cancelled ones, commit the charges of the
    others. (memberships claimed, charges to ask the rail for)."""
    now = clock.now()
    in_flight = PaidCharge.objects.filter(membership=OuterRef("pk"), period_start=OuterRef("period_end"),
                                          status=ChargeStatus.PAYING)  # fmt: skip
    with transaction.atomic():
        memberships = list(
            memberships_due(clock).filter(~Exists(in_flight)).select_for_update(skip_locked=True, of=("self",))
            .select_related("plan", "customer", "payment_method").order_by("period_end", "id")[:batch_size]
        )  # fmt: skip
        ending = [m for m in memberships if m.cancel_at_period_end]
        if ending:
            PaidMembership.objects.filter(pk__in=[m.pk for m in ending]).update(status=PaidStatus.ENDED, ended_at=now)
            for membership in ending:
                membership.status, membership.ended_at = PaidStatus.ENDED, now
                membership_ended_emit(membership, reason="cancelled", clock=clock)
            report.ended += len(ending)
        renewing = [m for m in memberships if not m.cancel_at_period_end]
        periods = {m.pk: m.period_end for m in renewing}
        earlier = PaidCharge.objects.filter(membership_id__in=periods, period_start__in=set(periods.values()))
        tried = Counter(mid for mid, start in earlier.values_list("membership_id", "period_start") if periods[mid] == start)
        charges = []
        for membership in renewing:
            attempt = tried.get(membership.pk, 0) + 1
            charges.append(PaidCharge(
                membership=membership, payment_method=membership.payment_method, period_start=membership.period_end,
                attempt=attempt, amount_minor=membership.plan.price_minor, created_at=now,
                charge_key=charge_key(membership, membership.period_end, attempt),
            ))  # fmt: skip
        PaidCharge.objects.bulk_create(charges)
    return len(memberships), charges


class RenewalCalls(RailBatchCalls[PaidCharge]):
    """A membership charge is asked on its own payment method's rail (the charge's, else the
    membership's); a request refused as over the provider's rate stays unknown and is resumed."""

    thread_prefix = "renewal"

    def rail_of(self, charge: PaidCharge) -> tuple[str, bool]:
        method = _method(charge)
        return method.rail, method.livemode

    def resolve(self, rail_name: str, livemode: bool):
        return rail_for(rail_name, livemode=livemode)

    def charge(self, charge: PaidCharge, rail) -> ChargeResult:
        return wallet_rail.charge(payment_method=_method(charge), amount_minor=charge.amount_minor,
                                  key=charge.charge_key, metadata={"membership_uuid": str(charge.membership.uuid)},
                                  rail=rail)  # fmt: skip


def _method(charge: PaidCharge):
    return charge.payment_method or charge.membership.payment_method


def renewals_record(results: list[tuple[PaidCharge, ChargeResult]], *, clock: Clock, report: RenewalReport) -> None:
    """Record a batch's answers in one transaction; should that fail, one by one."""
    report.charged += len(results)
    report.unknown += sum(result.is_unknown for _, result in results)
    known = [(charge, result) for charge, result in results if not result.is_unknown]
    if not known:
        return
    try:
        with transaction.atomic():
            _record(known, clock=clock, report=report)
    except DatabaseError:
        logger.exception("Recording %d membership charges failed; recording one by one", len(known))
        for charge, result in known:
            try:
                status = paid_charge_finish(charge_id=charge.pk, result=result, clock=clock).status
            except DatabaseError:
                logger.exception("Recording membership charge %s failed; it stays PAYING", charge.charge_key)
                continue
            report.succeeded += status == ChargeStatus.PAID
            report.failed += status == ChargeStatus.FAILED


def _record(known: list[tuple[PaidCharge, ChargeResult]], *, clock: Clock, report: RenewalReport) -> None:
    """Under the same membership → charge locks as paid_charge_finish; charges another run or
    request recorded meanwhile are left alone."""
    now = clock.now()
    memberships = {m.pk: m for m in PaidMembership.objects.select_for_update(of=("self",)).select_related(
        "plan", "customer", "payment_method").filter(pk__in={c.membership_id for c, _ in known}).order_by("pk")}  # fmt: skip
    paying = set(PaidCharge.objects.select_for_update().filter(pk__in=[c.pk for c, _ in known],
                                                               status=ChargeStatus.PAYING).order_by("pk").values_list("pk", flat=True))  # fmt: skip
    paid, declined, journals, events = [], [], [], []
    for charge, result in known:
        if charge.pk not in paying:
            continue
        charge.status = ChargeStatus.PAID if result.succeeded else ChargeStatus.FAILED
        charge.outcome, charge.reference, charge.finished_at = result.outcome[:60], result.reference or "", now
        membership = memberships[charge.membership_id]
        if not result.succeeded:
            declined.append((membership, charge))
            continue
        renewal = membership.status != PaidStatus.PAYING
        paid_membership_apply(membership, charge)
        paid.append((membership, charge))
        journals.append(Journal(idempotency_key=paid_journal_key(charge), kind=JournalKind.MEMBERSHIP_PAID,
                                memo=paid_memo(membership, charge), created_at=now))  # fmt: skip
        payload = charged_payload(membership, charge, renewal=renewal, clock=clock)
        event_payload_check(kind=EventKind.MEMBERSHIP_CHARGED, payload=payload)
        events.append(OutboxEvent(kind=EventKind.MEMBERSHIP_CHARGED, aggregate_uuid=membership.uuid, payload=payload,
                                  livemode=membership.payment_method.livemode))  # fmt: skip
    _charges_update([c for _, c in paid + declined])
    _memberships_paid_update([m for m, _ in paid])
    Journal.objects.bulk_create(journals)
    LedgerLine.objects.bulk_create(LedgerLine(journal=journal, account=line.account, amount_minor=line.amount_minor)
                                   for journal, (_, charge) in zip(journals, paid, strict=True)
                                   for line in paid_lines(charge))  # fmt: skip
    OutboxEvent.objects.bulk_create(events)
    for membership, charge in declined:
        if membership.status == PaidStatus.PAYING:  # a joining charge whose answer was lost: no membership
            membership.status, membership.ended_at = PaidStatus.FAILED, now
            membership.save(update_fields=["status", "ended_at"])
        else:
            renewal_failed(membership, charge, clock=clock)
    report.succeeded += len(paid)
    report.failed += len(declined)


# Single statements over arrays: the ORM's bulk_update builds a CASE per row and field and
# spent most of a batch's time in Python.


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _charges_update(charges: list[PaidCharge]) -> None:
    if not charges:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(PaidCharge)} AS c SET status = v.status, outcome = v.outcome, reference = v.reference,"
            " finished_at = v.finished_at FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[],"
            " %s::timestamptz[]) AS v(id, status, outcome, reference, finished_at) WHERE c.id = v.id",
            [[c.pk for c in charges], [c.status for c in charges], [c.outcome for c in charges],
             [c.reference for c in charges], [c.finished_at for c in charges]],
        )  # fmt: skip


def _memberships_paid_update(memberships: list[PaidMembership]) -> None:
    """What paid_membership_apply set: active, the new period, no failed renewal pending."""
    if not memberships:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(PaidMembership)} AS m SET status = v.status, period_start = v.period_start,"
            " period_end = v.period_end, failed_renewals = 0, next_attempt_at = NULL"
            " FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::date[]) AS v(id, status, period_start, period_end)"
            " WHERE m.id = v.id",
            [[m.pk for m in memberships], [m.status for m in memberships], [m.period_start for m in memberships],
             [m.period_end for m in memberships]],
        )  # fmt: skip
