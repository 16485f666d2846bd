"""The outbox drain: exactly once, in order, lag figures, and the tasks."""
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.config.schedules import beat_schedule
from pawpact.outbox.models import OutboxEvent
from pawpact.platform import drain as drain_module
from pawpact.platform import tasks
from pawpact.platform.drain import WrongShopSchema, outbox_drain_shop, platform_events_insert
from pawpact.platform.enums import AdvanceStatus
from pawpact.platform.funding.selectors import drain_lag_list
from pawpact.platform.models import Advance, PlatformEvent, PlatformJournal, ShopDrainState
from tests.platform.funding.conftest import NOW, assert_ledger_ok, drain, emit, paid, signed, terminated


def _events(shop):
    return list(PlatformEvent.objects.filter(shop=shop).order_by("id").values_list("tenant_event_id", "kind"))


def test_drain_copies_each_event_once_and_marks_it_published(shop, clock):
    contract = uuid.uuid4()
    ids = emit(shop, signed(contract), paid(contract, 1))

    first = drain(shop, clock)
    second = drain(shop, clock)

    assert (first.copied, first.published, first.applied) == (2, 2, 2)
    assert (second.copied, second.published, second.applied) == (0, 0, 0)
    assert _events(shop) == [(ids[0], "contract.signed"), (ids[1], "debit.paid")]
    with schema_context(shop.schema_name):
        assert list(OutboxEvent.objects.filter(pk__in=ids).values_list("published_at", flat=True)) == [NOW, NOW]
    state = ShopDrainState.objects.get(shop=shop)
    assert (state.last_event_id, state.pending_count, state.oldest_pending_at, state.drained_at) == (
        ids[1], 0, None, NOW,
    )  # fmt: skip
    assert Advance.objects.filter(shop=shop).count() == 1
    assert PlatformJournal.objects.filter(shop=shop).count() == 2  # purchase + collection
    assert_ledger_ok()


def test_a_crash_between_copying_and_marking_published_copies_nothing_twice(shop, clock):
    """The worker copied the batch, committed, and died before marking the rows published."""
    contract = uuid.uuid4()
    ids = emit(shop, signed(contract), paid(contract, 1))
    with schema_context(shop.schema_name):
        rows = list(  # what the drain reads: shop-only facts (messages the debit sent) are born published
            OutboxEvent.objects.filter(published_at__isnull=True)
            .order_by("id")
            .values("id", "kind", "aggregate_uuid", "payload", "created_at")
        )
        assert platform_events_insert(shop_id=shop.pk, events=rows, now=NOW) == 2
        assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 2  # not marked

    report = drain(shop, clock)  # the next run re-reads the unmarked rows

    assert (report.copied, report.published) == (0, 2)
    assert _events(shop) == [(ids[0], "contract.signed"), (ids[1], "debit.paid")]
    assert Advance.objects.filter(shop=shop).get().collected_minor == 39_900
    assert_ledger_ok()


def test_a_crash_while_marking_rolls_the_batch_back_and_the_rerun_copies_it_once(shop, clock, monkeypatch):
    contract = uuid.uuid4()
    emit(shop, signed(contract))

    class Boom(Exception):
        pass

    def crashing_mark(**kwargs):
        raise Boom

    monkeypatch.setattr(drain_module, "outbox_mark_published", crashing_mark)
    with pytest.raises(Boom):
        drain(shop, clock)
    monkeypatch.undo()
    assert PlatformEvent.objects.filter(shop=shop).count() == 0

    drain(shop, clock)
    drain(shop, clock)
    assert PlatformEvent.objects.filter(shop=shop).count() == 1
    assert Advance.objects.filter(shop=shop).count() == 1


def test_events_are_applied_in_the_order_the_shop_wrote_them(shop, clock):
    """Two contracts interleaved, across batches and runs: each contract's events apply in order."""
    first, second = uuid.uuid4(), uuid.uuid4()
    ids = emit(shop, signed(first), signed(second), paid(first, 1), paid(second, 1), paid(first, 2))
    with schema_context(shop.schema_name):
        report = outbox_drain_shop(shop=shop, batch_size=2, clock=clock)  # three batches of ≤ 2
    assert (report.copied, report.pending) == (5, 0)
    ids += emit(shop, paid(first, 3), terminated(first, "early_termination"), paid(second, 2))
    drain(shop, clock)

    events = PlatformEvent.objects.filter(shop=shop).order_by("id")
    assert [e.tenant_event_id for e in events] == ids  # outbox order kept
    assert all(e.applied_at == NOW for e in events)
    by_contract = {
        a.contract_uuid: (a.collected_minor, a.closed_reason) for a in Advance.objects.filter(shop=shop)
    }
    # First: three periods collected before the termination was applied (full recourse, the default).
    assert by_contract == {first: (3 * 39_900, "early_termination"), second: (2 * 39_900, "")}
    clawback = Advance.objects.get(contract_uuid=first).clawbacks.get()
    assert clawback.amount_minor == 430_920 - 3 * 39_900  # default terms: rate 0.9, no fee
    assert_ledger_ok()


def test_lag_figures_show_what_is_still_waiting(shop, other_shop, clock):
    contract = uuid.uuid4()
    emit(shop, signed(contract), at=NOW - timedelta(minutes=10))
    waiting = emit(shop, paid(contract, 1), paid(contract, 2), at=NOW - timedelta(minutes=5))
    with schema_context(shop.schema_name):
        report = outbox_drain_shop(shop=shop, batch_size=1, max_batches=1, clock=clock)

    assert (report.copied, report.pending) == (1, 2)
    state = ShopDrainState.objects.get(shop=shop)
    assert (state.pending_count, state.oldest_pending_at, state.drained_at) == (2, NOW - timedelta(minutes=5), NOW)

    rows = {row.shop_slug: row for row in drain_lag_list(now=NOW + timedelta(minutes=1))}
    alpha = rows["alpha"]
    assert (alpha.pending_count, alpha.pending_age_seconds, alpha.unapplied, alpha.last_event_id) == (
        2, 360, 1, waiting[0] - 1,
    )  # fmt: skip
    beta = rows["beta"]  # never drained
    assert (beta.pending_count, beta.pending_age_seconds, beta.drained_at, beta.unapplied) == (0, None, None, 0)

    drain(shop, clock)
    rows = {row.shop_slug: row for row in drain_lag_list(now=NOW)}
    assert (rows["alpha"].pending_count, rows["alpha"].pending_age_seconds, rows["alpha"].unapplied) == (0, None, 0)


def test_the_drain_refuses_to_run_outside_its_shop_schema(shop, other_shop, clock):
    with pytest.raises(WrongShopSchema):
        outbox_drain_shop(shop=shop, clock=clock)
    with schema_context(other_shop.schema_name), pytest.raises(WrongShopSchema):
        outbox_drain_shop(shop=shop, clock=clock)


def test_a_shop_never_sees_another_shops_events(shop, other_shop, clock):
    contract = uuid.uuid4()
    emit(shop, signed(contract))
    emit(other_shop, signed(uuid.uuid4()))
    drain(shop, clock)
    assert PlatformEvent.objects.filter(shop=other_shop).count() == 0
    assert list(Advance.objects.values_list("shop__slug", "contract_uuid")) == [("alpha", contract)]


def test_the_dispatcher_drains_every_ready_shop_in_its_own_schema_twice_without_duplicates(
    shop, other_shop, monkeypatch
):
    emit(shop, signed(uuid.uuid4()))
    emit(other_shop, signed(uuid.uuid4()), signed(uuid.uuid4()))
    ran_in = []
    real = tasks.outbox_drain_and_apply

    def recording(**kwargs):
        ran_in.append((connection.schema_name, kwargs["shop"].slug))
        return real(**kwargs)

    monkeypatch.setattr(tasks, "outbox_drain_and_apply", recording)
    assert tasks.outbox_drain_dispatch_task.delay().get() == 2
    tasks.outbox_drain_dispatch_task.delay()

    assert ran_in == [("shop_alpha", "alpha"), ("shop_beta", "beta")] * 2
    assert connection.schema_name == "public"
    assert PlatformEvent.objects.filter(shop=shop).count() == 1
    assert PlatformEvent.objects.filter(shop=other_shop).count() == 2
    assert Advance.objects.filter(status=AdvanceStatus.PENDING).count() == 3
    assert_ledger_ok()


def test_the_drain_and_the_settlement_are_scheduled_with_an_expiry():
    schedule = beat_schedule()
    assert schedule["platform-outbox-drain"]["task"] == "platform.outbox_drain_dispatch"
    assert schedule["platform-outbox-drain"]["options"]["expires"] == 50
    assert schedule["platform-settlement-run"]["task"] == "platform.settlement_run"
    assert schedule["platform-settlement-run"]["options"]["expires"] == 3600
    assert tasks.outbox_drain_shop_task.name == "platform.outbox_drain_shop"
