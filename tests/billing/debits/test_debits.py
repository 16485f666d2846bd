from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, ContractStatus, PeriodStatus
from pawpact.billing.errors import DebitNotAllowed, DebitNotDue
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import DebitAttempt, DebitPeriod, Journal, LedgerLine
from pawpact.billing.services.debits import IN_FLIGHT_LEASE, attempt_finish, period_collect
from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.base import ChargeResult
from pawpact.payments.enums import DeclineType
from pawpact.sandbox.models import SandboxCharge
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create, token_set


def _first_period(contract) -> DebitPeriod:
    return DebitPeriod.objects.get(contract=contract, number=1)


def _snapshot(contract) -> tuple:
    """Everything a debit writes, to assert that a refused one wrote nothing."""
    return (
        list(DebitPeriod.objects.filter(contract=contract).values_list("id", "status", "paid_at")),
        DebitAttempt.objects.filter(period__contract=contract).count(),
        Journal.objects.filter(contract=contract).count(),
        OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).count(),
        SandboxCharge.objects.count(),
    )


def test_a_successful_debit_pays_the_period_with_one_journal_and_one_event(shop, rail_spy):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create()
        period = _first_period(contract)
        attempt = period_collect(period=period, clock=clock)

        period.refresh_from_db()
        assert attempt.status == AttemptStatus.SUCCEEDED
        assert attempt.number == 1
        assert attempt.idempotency_key == f"debit:{contract.uuid}:1:1"
        assert attempt.amount_minor == 39_900
        assert attempt.outcome == "succeeded"
        assert attempt.decline_type == ""
        assert attempt.finished_at == SIGNING_DAY_NOON
        assert period.status == PeriodStatus.PAID
        assert period.paid_at == SIGNING_DAY_NOON
        assert rail_spy.keys == [attempt.idempotency_key]

        journal = Journal.objects.get(contract=contract)
        assert journal.idempotency_key == f"period.paid:{period.pk}"
        assert journal.kind == "period.paid"
        assert journal.attempt_id == attempt.pk
        assert sorted(journal.lines.values_list("account", "amount_minor", "currency")) == [
            ("cash", 39_900, "CNY"),
            ("deferred_revenue", 39_900, "CNY"),
            ("plan_revenue", -39_900, "CNY"),
            ("receivable", -39_900, "CNY"),
        ]
        assert account_balances(contract=contract) == {
            "cash": 39_900, "receivable": -39_900, "deferred_revenue": 39_900, "plan_revenue": -39_900,
        }  # fmt: skip
        event = OutboxEvent.objects.get(aggregate_uuid=contract.uuid)
        assert event.kind == "debit.paid"
        assert event.payload == {
            "contract_uuid": str(contract.uuid),
            "period_number": 1,
            "amount_minor": 39_900,
            "currency": "CNY",
            "attempt_number": 1,
            "outcome": "succeeded",
            "at": "2026-01-12T04:00:00+00:00",
        }
        charge = SandboxCharge.objects.get(idempotency_key=attempt.idempotency_key)
        assert (charge.shop_schema, charge.amount_minor, charge.reference) == (
            shop.schema_name, 39_900, attempt.rail_reference,
        )  # fmt: skip
        assert unbalanced_journals() == []


def test_collecting_a_paid_period_again_returns_the_success_and_charges_nothing(shop, rail_spy):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create()
        first = period_collect(period=_first_period(contract), clock=clock)
        before = _snapshot(contract)
        again = period_collect(period=_first_period(contract), clock=clock)
        assert again.pk == first.pk
        assert _snapshot(contract) == before
        assert rail_spy.keys == [first.idempotency_key]
        assert LedgerLine.objects.filter(contract=contract).count() == 4
        assert unbalanced_journals() == []


@pytest.mark.parametrize(
    ("token", "outcome", "decline_type"),
    [
        ("tok_insufficient_funds", "insufficient_funds", DeclineType.SOFT),
        ("tok_hard_decline", "hard_decline", DeclineType.HARD),
    ],
)
def test_a_declined_debit_fails_the_period_without_a_journal(shop, token, outcome, decline_type):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create(token=token)
        period = _first_period(contract)
        attempt = period_collect(period=period, clock=clock)

        period.refresh_from_db()
        assert (attempt.status, attempt.outcome, attempt.decline_type) == (AttemptStatus.FAILED, outcome, decline_type)
        assert attempt.rail_reference.startswith("sbx_")
        assert period.status == PeriodStatus.FAILED
        assert period.paid_at is None
        assert Journal.objects.filter(contract=contract).count() == 0
        event = OutboxEvent.objects.get(aggregate_uuid=contract.uuid)
        assert event.kind == "debit.failed"
        assert event.payload == {
            "contract_uuid": str(contract.uuid),
            "period_number": 1,
            "amount_minor": 39_900,
            "currency": "CNY",
            "attempt_number": 1,
            "outcome": outcome,
            "decline_type": decline_type.value,
            "at": "2026-01-12T04:00:00+00:00",
        }
        assert account_balances(contract=contract) == {}
        assert unbalanced_journals() == []


def test_a_failed_period_is_retried_with_the_next_attempt_number_and_key(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create(token="tok_insufficient_funds")
        period = _first_period(contract)
        period_collect(period=period, clock=clock)
        token_set(contract, "tok_success")  # the customer topped up
        retry = period_collect(period=period, clock=clock)

        assert (retry.number, retry.status) == (2, AttemptStatus.SUCCEEDED)
        assert retry.idempotency_key == f"debit:{contract.uuid}:1:2"
        assert list(period.attempts.values_list("number", "status")) == [(1, "failed"), (2, "succeeded")]
        assert list(OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).values_list("kind", flat=True)) == [
            "debit.failed", "debit.paid",
        ]  # fmt: skip
        assert account_balances(contract=contract)["cash"] == 39_900
        assert unbalanced_journals() == []


def test_a_network_error_leaves_the_attempt_started_and_a_rerun_asks_again_with_the_same_key(shop, rail_spy):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create(token="tok_network_error")
        period = _first_period(contract)
        attempt = period_collect(period=period, clock=clock)
        key = f"debit:{contract.uuid}:1:1"

        period.refresh_from_db()
        assert (attempt.status, attempt.idempotency_key) == (AttemptStatus.STARTED, key)
        assert period.status == PeriodStatus.ATTEMPTED
        assert Journal.objects.count() == OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).count() == 0

        # Still within the lease: the attempt may be in flight, so nobody asks the rail.
        assert period_collect(period=period, clock=clock).pk == attempt.pk
        assert rail_spy.keys == [key]

        # After the lease the same attempt is resumed with its own key, never a new one.
        clock.advance(IN_FLIGHT_LEASE)
        assert period_collect(period=period, clock=clock).status == AttemptStatus.STARTED
        assert rail_spy.keys == [key, key]
        assert SandboxCharge.objects.filter(idempotency_key__startswith=f"debit:{contract.uuid}").count() <= 1

        # The network comes back: the same key now gets its answer, and the period is paid once.
        token_set(contract, "tok_success")
        clock.advance(IN_FLIGHT_LEASE)
        paid = period_collect(period=period, clock=clock)
        assert (paid.pk, paid.status, paid.number) == (attempt.pk, AttemptStatus.SUCCEEDED, 1)
        assert rail_spy.keys == [key, key, key]
        assert SandboxCharge.objects.filter(idempotency_key__startswith=f"debit:{contract.uuid}").count() == 1
        assert DebitAttempt.objects.filter(period=period).count() == 1
        assert account_balances(contract=contract)["cash"] == 39_900
        assert unbalanced_journals() == []


def test_a_rail_answer_delivered_twice_or_late_is_recorded_once(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create(token="tok_network_error")
        attempt = period_collect(period=_first_period(contract), clock=clock)
        success = ChargeResult(succeeded=True, outcome="succeeded", reference="ref_1")
        decline = ChargeResult(succeeded=False, outcome="insufficient_funds", decline_type=DeclineType.SOFT)

        assert attempt_finish(attempt_id=attempt.pk, result=success, clock=clock).status == AttemptStatus.SUCCEEDED
        before = _snapshot(contract)
        assert attempt_finish(attempt_id=attempt.pk, result=success, clock=clock).status == AttemptStatus.SUCCEEDED
        # A decline arriving after the success (out of order) changes nothing.
        late = attempt_finish(attempt_id=attempt.pk, result=decline, clock=clock)
        assert (late.status, late.rail_reference) == (AttemptStatus.SUCCEEDED, "ref_1")
        assert _snapshot(contract) == before
        assert Journal.objects.filter(contract=contract).count() == 1
        assert OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).count() == 1
        assert unbalanced_journals() == []


def test_an_unknown_answer_changes_nothing(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create(token="tok_network_error")
        attempt = period_collect(period=_first_period(contract), clock=clock)
        before = _snapshot(contract)
        unknown = ChargeResult(succeeded=False, outcome="network_error", is_unknown=True)
        assert attempt_finish(attempt_id=attempt.pk, result=unknown, clock=clock).status == AttemptStatus.STARTED
        assert _snapshot(contract) == before
        assert unbalanced_journals() == []



@pytest.mark.parametrize(
    ("setup", "at", "error"),
    [
        ("terminated", SIGNING_DAY_NOON, DebitNotAllowed),
        ("cancelled_period", SIGNING_DAY_NOON, DebitNotAllowed),
        ("too_early", datetime(2026, 1, 11, 15, 59, tzinfo=UTC), DebitNotDue),  # 23:59 Beijing the day before
        ("wechat_at_night", datetime(2026, 1, 12, 14, 30, tzinfo=UTC), DebitNotDue),  # 22:30 Beijing
    ],
)
def test_a_refused_debit_writes_nothing_and_asks_no_rail(shop, rail_spy, setup, at, error):
    with schema_context(shop.schema_name):
        contract = contract_create(rail="wechat", token="wx") if setup == "wechat_at_night" else contract_create()
        period = _first_period(contract)
        if setup == "terminated":
            contract.status = ContractStatus.TERMINATED_EARLY
            contract.save(update_fields=["status"])
        if setup == "cancelled_period":
            period.status = PeriodStatus.CANCELLED
            period.save(update_fields=["status"])
        before = _snapshot(contract)
        with pytest.raises(error):
            period_collect(period=period, clock=FixedClock(at))
        assert _snapshot(contract) == before
        assert rail_spy.keys == []
        assert unbalanced_journals() == []



def test_the_first_period_is_collected_while_the_contract_is_only_signed(shop):
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(SIGNING_DAY_NOON))
        assert attempt.status == AttemptStatus.SUCCEEDED
        assert unbalanced_journals() == []


def test_the_database_refuses_a_second_attempt_in_flight_or_a_second_success(shop):
    """The last line of defence, whatever the code above it does."""
    with schema_context(shop.schema_name):
        contract = contract_create(token="tok_network_error")
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(SIGNING_DAY_NOON))

        def another(number: int, status: AttemptStatus, key: str | None = None):
            return DebitAttempt.objects.create(
                period=attempt.period, number=number, idempotency_key=key or f"x:{number}", rail="sandbox",
                amount_minor=39_900, status=status,
            )  # fmt: skip

        with pytest.raises(IntegrityError), transaction.atomic():
            another(2, AttemptStatus.STARTED)
        with pytest.raises(IntegrityError), transaction.atomic():
            another(2, AttemptStatus.FAILED, key=attempt.idempotency_key)
        DebitAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.SUCCEEDED)
        with pytest.raises(IntegrityError), transaction.atomic():
            another(2, AttemptStatus.SUCCEEDED)
        assert DebitAttempt.objects.filter(period=attempt.period).count() == 1
        assert unbalanced_journals() == []



def test_an_attempt_resumed_after_the_lease_keeps_its_number(shop):
    clock = FixedClock(SIGNING_DAY_NOON)
    with schema_context(shop.schema_name):
        contract = contract_create(token="tok_network_error")
        period = _first_period(contract)
        first = period_collect(period=period, clock=clock)
        clock.advance(IN_FLIGHT_LEASE + timedelta(seconds=1))
        token_set(contract, "tok_hard_decline")
        resumed = period_collect(period=period, clock=clock)
        assert (resumed.pk, resumed.number, resumed.status) == (first.pk, 1, AttemptStatus.FAILED)
        assert resumed.decline_type == DeclineType.HARD
        assert unbalanced_journals() == []
