"""Retries by decline type: soft declines on days 1, 3 and 5 after the due date, hard
declines stop and ask for a new payment method; a recovered period is paid once."""
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, ContractStatus, PeriodStatus
from pawpact.billing.errors import IllegalTransition, InvalidPaymentMethod
from pawpact.billing.holds import customer_holds
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import CallTask, Contract, DebitAttempt, Journal
from pawpact.billing.services.dunning import contract_payment_method_replace, retry_next_on
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.core.errors import Conflict
from pawpact.customers.enums import CustomerStanding
from pawpact.messaging.models import Message
from tests.billing.debits.factories import contract_create, token_set
from tests.billing.lifecycle.dunning.helpers import (
    DUE,
    attempts,
    day,
    debit_run_on,
    dunning_on,
    events,
    journal_keys,
    late_contract,
    messages,
    on,
    period,
    settings_set,
    state,
)

SOFT = ("failed", "insufficient_funds", "soft")
HARD = ("failed", "hard_decline", "hard")


def test_retry_days_follow_the_due_date_and_a_missed_run_catches_up():
    days = [1, 3, 5]
    assert retry_next_on(due_date=DUE, retry_days=days, last_attempt_on=DUE, today=DUE) == day(11)
    assert retry_next_on(due_date=DUE, retry_days=days, last_attempt_on=day(11), today=day(11)) == day(13)
    assert retry_next_on(due_date=DUE, retry_days=days, last_attempt_on=day(13), today=day(13)) == day(15)
    assert retry_next_on(due_date=DUE, retry_days=days, last_attempt_on=day(15), today=day(15)) is None
    # The run after the failure did not run until the 12th: the day-1 retry happens today.
    assert retry_next_on(due_date=DUE, retry_days=days, last_attempt_on=DUE, today=day(12)) == day(12)
    assert retry_next_on(due_date=DUE, retry_days=[], last_attempt_on=DUE, today=DUE) is None


def test_a_soft_decline_is_retried_on_days_1_3_and_5_then_stays_failed_and_overdue(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        assert state(contract) == (PeriodStatus.FAILED, None, None, CustomerStanding.CURRENT)

        dunning_on(DUE, times=2)
        assert state(contract) == (PeriodStatus.RETRYING, day(11), None, CustomerStanding.GRACE)
        assert attempts(contract) == [(1, *SOFT)]

        dunning_on(day(11), times=2)
        assert state(contract) == (PeriodStatus.RETRYING, day(13), day(11), CustomerStanding.OVERDUE)
        assert attempts(contract) == [(1, *SOFT), (2, *SOFT)]

        dunning_on(day(12), times=2)
        assert attempts(contract) == [(1, *SOFT), (2, *SOFT)]

        dunning_on(day(13), times=2)
        assert state(contract) == (PeriodStatus.RETRYING, day(15), day(11), CustomerStanding.OVERDUE)
        dunning_on(day(15), times=2)
        assert state(contract) == (PeriodStatus.FAILED, None, day(11), CustomerStanding.OVERDUE)
        dunning_on(day(16), times=2)
        dunning_on(day(20))

        assert attempts(contract) == [(1, *SOFT), (2, *SOFT), (3, *SOFT), (4, *SOFT)]
        keys = DebitAttempt.objects.filter(period=period(contract, 2)).order_by("number")
        assert [(a.idempotency_key, a.started_at.date().isoformat()) for a in keys] == [
            (f"debit:{contract.uuid}:2:1", "2026-02-09"),  # 00:15 in Beijing is the evening before in UTC
            (f"debit:{contract.uuid}:2:2", "2026-02-11"),
            (f"debit:{contract.uuid}:2:3", "2026-02-13"),
            (f"debit:{contract.uuid}:2:4", "2026-02-15"),
        ]
        assert [kind for kind, _ in events(contract)] == [
            "debit.paid", "debit.failed", "debit.failed", "period.overdue", "debit.failed", "debit.failed",
        ]  # fmt: skip
        assert events(contract, "period.overdue") == [
            (
                "period.overdue",
                {
                    "contract_uuid": str(contract.uuid),
                    "customer_uuid": str(contract.customer.uuid),
                    "period_number": 2,
                    "amount_minor": 39_900,
                    "currency": "CNY",
                    "at": "2026-02-11T01:30:00+00:00",
                },
            )
        ]
        assert customer_holds(customer=contract.customer).shipment_held is True
        assert journal_keys(contract) == [f"period.paid:{period(contract, 1).pk}"]
        assert unbalanced_journals() == []


def test_a_hard_decline_is_not_retried_and_asks_once_for_a_new_payment_method(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        dunning_on(DUE, times=2)
        assert state(contract) == (PeriodStatus.FAILED, None, None, CustomerStanding.GRACE)
        plan = contract.plan_version.plan.name
        body = (
            f"Your bank declined the debit of ¥399.00 for period 2 of 12 of your {plan} plan (due 2026-02-10). "
            "Please add a new payment method in the app: we will retry as soon as you do."
        )
        assert messages(contract) == [
            ("payment_method_needed", "sms", body),
            ("payment_method_needed", "in_app", body),
        ]
        first = Message.objects.filter(customer=contract.customer).order_by("id").first()
        assert (first.category, first.subject, first.status) == ("service", "Please add a new payment method", "sent")
        assert first.dedupe_key == f"payment_method_needed:debit:{contract.uuid}:2:1#sms"

        for each in (day(11), day(13), day(15), day(16)):
            dunning_on(each, times=2)
        assert attempts(contract) == [(1, *HARD)]
        assert len(messages(contract, "payment_method_needed")) == 2
        assert state(contract) == (PeriodStatus.FAILED, None, day(11), CustomerStanding.OVERDUE)
        assert unbalanced_journals() == []


def test_a_retry_that_succeeds_pays_the_period_once_and_recovers_the_customer(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        dunning_on(DUE)
        dunning_on(day(11))
        assert customer_holds(customer=contract.customer).loyalty_frozen is True

        token_set(contract, "tok_success")  # the customer topped up
        dunning_on(day(13), times=2)
        second = period(contract, 2)
        assert (second.status, second.next_retry_on, second.overdue_since) == (PeriodStatus.PAID, None, None)
        assert attempts(contract) == [(1, *SOFT), (2, *SOFT), (3, "succeeded", "succeeded", "")]
        assert DebitAttempt.objects.filter(period=second, status=AttemptStatus.SUCCEEDED).count() == 1
        assert Journal.objects.filter(idempotency_key=f"period.paid:{second.pk}").count() == 1
        contract.customer.refresh_from_db()
        assert contract.customer.standing == CustomerStanding.CURRENT
        assert customer_holds(customer=contract.customer).shipment_held is False
        recovered = events(contract, "period.recovered")
        assert [(kind, payload["period_number"], payload["at"]) for kind, payload in recovered] == [
            ("period.recovered", 2, "2026-02-13T01:30:00+00:00")
        ]
        # Paid before the day-3 step: no call task for a recovered customer.
        assert CallTask.objects.filter(customer=contract.customer).count() == 0

        before = (attempts(contract), journal_keys(contract), events(contract), messages(contract))
        dunning_on(day(15), times=2)
        assert (attempts(contract), journal_keys(contract), events(contract), messages(contract)) == before
        assert account_balances(contract=contract) == {
            "cash": 79_800, "receivable": -79_800, "deferred_revenue": 79_800, "plan_revenue": -79_800,
        }  # fmt: skip
        assert unbalanced_journals() == []


def test_a_new_payment_method_on_an_active_contract_retries_at_once_and_releases_the_holds(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        dunning_on(DUE)
        dunning_on(day(11))
        assert state(contract)[3] == CustomerStanding.OVERDUE

        with on(day(12), 15, 0):
            method = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
            result = contract_payment_method_replace(contract=contract, payment_method=method)
        assert [(a.number, a.status) for a in result.attempts] == [(2, AttemptStatus.SUCCEEDED)]
        contract.refresh_from_db()
        assert contract.payment_method_id == method.pk
        assert state(contract) == (PeriodStatus.PAID, None, None, CustomerStanding.CURRENT)
        assert customer_holds(customer=contract.customer).shipment_held is False
        assert len(events(contract, "period.recovered")) == 1
        assert Journal.objects.filter(idempotency_key=f"period.paid:{period(contract, 2).pk}").count() == 1

        before = (attempts(contract), journal_keys(contract), events(contract))
        dunning_on(day(13), times=2)
        assert (attempts(contract), journal_keys(contract), events(contract)) == before
        # Period 3 is debited from the new method by the debit run.
        debit_run_on(date(2026, 3, 10))
        assert period(contract, 3).status == PeriodStatus.PAID
        assert unbalanced_journals() == []


def test_replacing_the_payment_method_is_refused_for_someone_else_s_method_or_an_ended_contract(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        stranger = contract_create()
        foreign = stranger.payment_method
        before = (Contract.objects.get(pk=contract.pk).payment_method_id, attempts(contract))
        with on(day(12)), pytest.raises(InvalidPaymentMethod) as refused:
            contract_payment_method_replace(contract=contract, payment_method=foreign)
        assert refused.value.message == "This payment method belongs to another customer."
        assert (Contract.objects.get(pk=contract.pk).payment_method_id, attempts(contract)) == before

        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.COMPLETED)
        own = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
        with on(day(12)), pytest.raises(IllegalTransition) as refused:
            contract_payment_method_replace(contract=contract, payment_method=own)
        assert refused.value.message == (
            "Only an active contract's payment method can be replaced; this one is completed."
        )
        assert (Contract.objects.get(pk=contract.pk).payment_method_id, attempts(contract)) == before


def test_replacing_the_payment_method_waits_for_a_debit_in_flight(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_network_error")
        debit_run_on(DUE)  # the outcome is unknown: the attempt stays STARTED
        own = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
        with on(DUE, 10, 0), pytest.raises(Conflict) as refused:
            contract_payment_method_replace(contract=contract, payment_method=own)
        assert refused.value.code == "debit_in_flight"
        assert Contract.objects.get(pk=contract.pk).payment_method_id != own.pk


def test_with_a_grace_covering_the_retries_the_customer_is_overdue_only_after_the_last_one(shop):
    with schema_context(shop.schema_name):
        settings_set(grace_days=5)
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        for each in (10, 11, 13, 15):
            dunning_on(day(each), times=2)
            assert state(contract)[2:] == (None, CustomerStanding.GRACE), each
            assert messages(contract, "dunning_sms") == []
        assert state(contract)[:2] == (PeriodStatus.FAILED, None)  # three retries done
        dunning_on(day(16), times=2)
        assert state(contract) == (PeriodStatus.FAILED, None, day(16), CustomerStanding.OVERDUE)
        assert len(messages(contract, "dunning_sms")) == 1
        assert len(attempts(contract)) == 4
