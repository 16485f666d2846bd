from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, ContractStatus, PeriodStatus
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import DebitAttempt, DebitPeriod, Journal, LedgerLine
from pawpact.billing.services import debit_run as run_module
from pawpact.billing.services import rail_calls as rail_calls_module
from pawpact.billing.services.debit_run import RunReport, debit_run_naive, debit_run_shop
from pawpact.billing.services.debits import IN_FLIGHT_LEASE, period_collect
from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.enums import DeclineType
from pawpact.sandbox.models import SandboxCharge
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create


class Crash(BaseException):
    """Stands in for SIGKILL: nothing after it in the process runs, no handler catches it."""


def _charges_per_period() -> dict[int, int]:
    return dict(
        DebitPeriod.objects.annotate(n=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUCCEEDED)))
        .filter(n__gt=0)
        .values_list("id", "n")
    )


def _sandbox_charges(shop) -> int:
    return SandboxCharge.objects.filter(shop_schema=shop.schema_name, idempotency_key__startswith="debit:").count()


def test_the_run_charges_each_due_period_once_and_nothing_else(shop, rail_spy):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contracts = [contract_create() for _ in range(5)]
        report = debit_run_shop(clock=clock, batch_size=2)

        assert report == RunReport(attempted=5, succeeded=5)
        assert DebitPeriod.objects.filter(status=PeriodStatus.PAID).count() == 5
        # Only period 1 is due on the signing day; periods 2–12 stay scheduled.
        assert set(DebitPeriod.objects.filter(status=PeriodStatus.PAID).values_list("number", flat=True)) == {1}
        assert DebitPeriod.objects.filter(status=PeriodStatus.SCHEDULED).count() == 5 * 11
        assert sorted(rail_spy.keys) == sorted(f"debit:{c.uuid}:1:1" for c in contracts)
        assert Journal.objects.count() == 5
        assert LedgerLine.objects.count() == 20
        assert OutboxEvent.objects.filter(kind="debit.paid").count() == 5
        assert account_balances() == {
            "cash": 5 * 39_900, "receivable": -5 * 39_900, "deferred_revenue": 5 * 39_900, "plan_revenue": -5 * 39_900,
        }  # fmt: skip
        assert _sandbox_charges(shop) == 5
        assert unbalanced_journals() == []


def test_running_twice_charges_once(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        for _ in range(3):
            contract_create()
        debit_run_shop(clock=clock)
        second = debit_run_shop(clock=clock)
        clock.advance(IN_FLIGHT_LEASE * 2)
        third = debit_run_shop(clock=clock)

        assert second == third == RunReport()
        assert set(_charges_per_period().values()) == {1}
        assert len(_charges_per_period()) == 3
        assert Journal.objects.count() == OutboxEvent.objects.count() == _sandbox_charges(shop) == 3
        assert unbalanced_journals() == []


def test_every_outcome_is_recorded_like_a_single_collect(shop, monkeypatch):
    clock = FixedClock(SIGNING_DAY_NOON)
    # The batch path itself, not the one-by-one fallback that would hide a broken batch statement.
    one_by_one = []
    monkeypatch.setattr(run_module, "attempt_finish", lambda **kwargs: one_by_one.append(kwargs))
    with schema_context(shop.schema_name):
        tokens = ("tok_success", "tok_insufficient_funds", "tok_hard_decline", "tok_network_error")
        ok, soft, hard, lost = (contract_create(token=token) for token in tokens)
        single = contract_create()
        single_attempt = period_collect(period=DebitPeriod.objects.get(contract=single, number=1), clock=clock)
        report = debit_run_shop(clock=clock)

        assert report == RunReport(attempted=4, succeeded=1, failed=2, unknown=1)
        status = dict(DebitPeriod.objects.filter(number=1).values_list("contract_id", "status"))
        assert status == {ok.pk: "paid", soft.pk: "failed", hard.pk: "failed", lost.pk: "attempted", single.pk: "paid"}
        attempts = {a.period.contract_id: a for a in DebitAttempt.objects.select_related("period")}
        assert (attempts[soft.pk].status, attempts[soft.pk].decline_type) == (AttemptStatus.FAILED, DeclineType.SOFT)
        assert (attempts[hard.pk].status, attempts[hard.pk].decline_type) == (AttemptStatus.FAILED, DeclineType.HARD)
        assert attempts[lost.pk].status == AttemptStatus.STARTED
        assert OutboxEvent.objects.filter(aggregate_uuid=lost.uuid).count() == 0

        # The batched path writes exactly what one period_collect writes.
        batch_journal = Journal.objects.get(contract=ok)
        single_journal = Journal.objects.get(contract=single)
        assert batch_journal.idempotency_key == f"period.paid:{attempts[ok.pk].period_id}"
        assert (batch_journal.kind, batch_journal.attempt_id) == (single_journal.kind, attempts[ok.pk].pk)
        fields = ("account", "amount_minor", "currency")
        assert list(batch_journal.lines.values_list(*fields)) == list(single_journal.lines.values_list(*fields))
        assert set(batch_journal.lines.values_list("contract_id", flat=True)) == {ok.pk}
        batch_event = OutboxEvent.objects.get(aggregate_uuid=ok.uuid).payload
        single_event = OutboxEvent.objects.get(aggregate_uuid=single.uuid).payload
        assert batch_event == {**single_event, "contract_uuid": str(ok.uuid)}
        assert single_attempt.status == AttemptStatus.SUCCEEDED
        failed_event = OutboxEvent.objects.get(aggregate_uuid=hard.uuid)
        assert (failed_event.kind, failed_event.payload["decline_type"]) == ("debit.failed", "hard")
        assert unbalanced_journals() == []
        assert one_by_one == []


def test_the_run_skips_contracts_that_are_not_active_and_rails_without_an_adapter(shop, rail_spy):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract_create(status=ContractStatus.SIGNED)
        contract_create(status=ContractStatus.TERMINATED_PET_LOSS)
        contract_create(rail="wechat", token="wx")  # policy known, no adapter yet
        inactive = contract_create()
        inactive.payment_method.is_active = False
        inactive.payment_method.save(update_fields=["is_active"])

        assert debit_run_shop(clock=clock) == RunReport()
        assert DebitAttempt.objects.count() == 0
        assert rail_spy.keys == []
        assert unbalanced_journals() == []



def test_a_crash_after_started_is_committed_and_before_the_rail_is_called_charges_once(shop, monkeypatch, rail_spy):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contracts = [contract_create() for _ in range(3)]

        def crash(**kwargs):
            raise Crash

        with monkeypatch.context() as patch:
            patch.setattr(rail_calls_module, "rail_charge", crash)
            with pytest.raises(Crash):
                debit_run_shop(clock=clock)
        assert DebitAttempt.objects.filter(status=AttemptStatus.STARTED).count() == 3
        assert rail_spy.keys == []

        # The next run inside the lease leaves them alone (their worker might be alive) …
        assert debit_run_shop(clock=clock) == RunReport()
        # … and once the lease is over resumes each with its own key.
        clock.advance(IN_FLIGHT_LEASE)
        report = debit_run_shop(clock=clock)

        assert report == RunReport(attempted=3, resumed=3, succeeded=3)
        assert sorted(rail_spy.keys) == sorted(f"debit:{c.uuid}:1:1" for c in contracts)
        assert DebitAttempt.objects.count() == 3
        assert set(_charges_per_period().values()) == {1}
        assert _sandbox_charges(shop) == 3
        assert Journal.objects.count() == 3
        assert unbalanced_journals() == []


def test_a_crash_after_the_rail_charged_and_before_recording_is_recorded_once_without_a_second_charge(
    shop, monkeypatch
):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        for _ in range(4):
            contract_create()

        def crash(*args, **kwargs):
            raise Crash

        with monkeypatch.context() as patch:
            patch.setattr(run_module, "_record", crash)
            with pytest.raises(Crash):
                debit_run_shop(clock=clock, batch_size=2)
        # Both batches reached the rail: the second is charged while the first is recorded.
        assert _sandbox_charges(shop) == 4
        assert DebitAttempt.objects.filter(status=AttemptStatus.STARTED).count() == 4

        clock.advance(IN_FLIGHT_LEASE)
        report = debit_run_shop(clock=clock, batch_size=2)

        assert report == RunReport(attempted=4, resumed=4, succeeded=4)
        assert _sandbox_charges(shop) == 4  # the rail answered the resumed keys from its records
        assert set(_charges_per_period().values()) == {1}
        assert len(_charges_per_period()) == 4
        assert Journal.objects.count() == OutboxEvent.objects.count() == 4
        assert unbalanced_journals() == []


def test_an_outcome_recorded_meanwhile_by_someone_else_is_not_recorded_again(shop, monkeypatch):
    """E.g. a webhook finishing the attempt between the rail call and the batch's record."""
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        for _ in range(2):
            contract_create()
        real_record = run_module._record

        def webhook_first(known, *, now):
            attempt, result = known[0]
            run_module.attempt_finish(attempt_id=attempt.pk, result=result, clock=clock)
            return real_record(known, now=now)

        monkeypatch.setattr(run_module, "_record", webhook_first)
        debit_run_shop(clock=clock)

        assert set(_charges_per_period().values()) == {1}
        assert Journal.objects.count() == OutboxEvent.objects.count() == 2
        assert unbalanced_journals() == []


def test_a_batch_that_cannot_be_recorded_in_bulk_is_recorded_one_by_one(shop, monkeypatch):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        for _ in range(3):
            contract_create()
        from django.db import IntegrityError

        def broken(known, *, now):
            raise IntegrityError("simulated")

        monkeypatch.setattr(run_module, "_record", broken)
        report = debit_run_shop(clock=clock)

        assert report.succeeded == 3
        assert DebitPeriod.objects.filter(status=PeriodStatus.PAID).count() == 3
        assert Journal.objects.count() == OutboxEvent.objects.count() == 3
        assert unbalanced_journals() == []


def test_the_naive_run_writes_what_the_batched_run_writes(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        for token in ("tok_success", "tok_success", "tok_insufficient_funds", "tok_network_error"):
            contract_create(token=token)
        report = debit_run_naive(clock=clock)
        again = debit_run_naive(clock=clock)

        assert report == RunReport(attempted=4, succeeded=2, failed=1, unknown=1)
        assert again == RunReport()
        assert dict(DebitPeriod.objects.filter(number=1).values_list("status").annotate(n=Count("id"))) == {
            "paid": 2, "failed": 1, "attempted": 1,
        }  # fmt: skip
        assert Journal.objects.count() == 2
        assert OutboxEvent.objects.count() == 3
        assert unbalanced_journals() == []


def test_later_periods_become_due_on_their_date(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create()
        debit_run_shop(clock=clock)
        clock.advance(timedelta(days=34))  # 2026-02-15 12:00 Beijing
        report = debit_run_shop(clock=clock)

        assert report == RunReport(attempted=1, succeeded=1)
        assert list(
            DebitPeriod.objects.filter(contract=contract, status=PeriodStatus.PAID).values_list("number", flat=True)
        ) == [1, 2]
        assert account_balances(contract=contract)["cash"] == 2 * 39_900
        assert unbalanced_journals() == []
