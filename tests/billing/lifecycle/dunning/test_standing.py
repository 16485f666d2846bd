"""Customer standing (current → grace → overdue → default), its holds, and escalation."""
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import CallTaskKind, CallTaskStatus, PeriodStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.holds import Holds, customer_holds
from pawpact.billing.models import CallTask, DebitPeriod, DeferralCoupon
from pawpact.billing.services.dunning import contract_payment_method_replace
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.standing import (
    STANDING_TRANSITIONS,
    customer_standing_refresh,
    customer_standing_transition,
    standing_assess,
    standing_path,
)
from pawpact.core.clock import FixedClock
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from tests.billing.debits.factories import contract_create
from tests.billing.lifecycle.dunning.helpers import (
    DUE,
    at,
    day,
    debit_run_on,
    dunning_on,
    late_contract,
    messages,
    on,
    settings_set,
    state,
)

C, G, O, D = (CustomerStanding.CURRENT, CustomerStanding.GRACE, CustomerStanding.OVERDUE, CustomerStanding.DEFAULT)


def test_the_transition_map_goes_forward_one_step_and_back_to_any_better_standing():
    assert STANDING_TRANSITIONS == {C: {G}, G: {O, C}, O: {D, G, C}, D: {O, G, C}}
    assert standing_path(current=C, target=O) == [G, O]
    assert standing_path(current=C, target=D) == [G, O, D]
    assert standing_path(current=D, target=C) == [C]
    assert standing_path(current=O, target=O) == []


@pytest.mark.parametrize(("current", "target"), [(C, O), (C, D), (G, D), (C, C)])
def test_an_illegal_standing_transition_is_refused_and_changes_nothing(shop, current, target):
    with schema_context(shop.schema_name):
        customer = contract_create().customer
        Customer.objects.filter(pk=customer.pk).update(standing=current)
        with pytest.raises(IllegalTransition) as refused:
            customer_standing_transition(customer=customer, target=target)
        assert refused.value.code == "illegal_transition"
        assert refused.value.message == (
            f"A customer in {CustomerStanding(current).label} standing cannot move to {CustomerStanding(target).label}."
        )
        assert Customer.objects.values_list("standing", "standing_since").get(pk=customer.pk) == (current, None)


def test_a_legal_transition_locks_and_records_when(shop):
    with schema_context(shop.schema_name):
        customer = contract_create().customer
        clock = FixedClock(at(DUE))
        customer_standing_transition(customer=customer, target=G, clock=clock)
        assert Customer.objects.values_list("standing", "standing_since").get(pk=customer.pk) == (G, at(DUE))


def test_grace_days_delay_overdue_and_default_follows_default_after_days(shop):
    with schema_context(shop.schema_name):
        settings = settings_set(grace_days=2, default_after_days=10)
        failed = DebitPeriod(pk=1, due_date=DUE, status=PeriodStatus.FAILED)

        def assess(today: date) -> str:
            assessment = standing_assess(delinquent=[failed], has_written_off_debt=False, settings=settings, today=today)
            return assessment.target

        assert [assess(day(n)) for n in (10, 12, 13, 22, 23)] == [G, G, O, O, D]
        assert standing_assess(delinquent=[], has_written_off_debt=False, settings=settings, today=DUE).target == C
        assert standing_assess(delinquent=[], has_written_off_debt=True, settings=settings, today=DUE).target == D


def test_holds_follow_the_standing(shop):
    with schema_context(shop.schema_name):
        customer = contract_create().customer
        expected = {
            C: Holds(False, False, ""),
            G: Holds(False, False, ""),
            O: Holds(True, True, "overdue"),
            D: Holds(True, True, "default"),
        }
        for standing, holds in expected.items():
            Customer.objects.filter(pk=customer.pk).update(standing=standing)
            assert customer_holds(customer=customer) == holds  # read fresh, not from the instance
        assert customer_holds(customer=customer).message == (
            "Payments are in default: shipments are held and points are frozen."
        )


def test_a_refresh_after_missed_runs_walks_every_step_and_emits_overdue_once(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        clock = FixedClock(at(day(12)))
        refresh = customer_standing_refresh(customer=contract.customer, clock=clock)
        assert (refresh.before, refresh.after) == (C, O)
        assert [p.number for p in refresh.newly_overdue] == [2]
        again = customer_standing_refresh(customer=contract.customer, clock=clock)
        assert (again.before, again.after, again.newly_overdue) == (O, O, [])
        assert state(contract)[2:] == (day(11), O)


def test_escalation_sends_one_sms_on_day_1_and_opens_one_call_on_day_3_and_one_visit_on_day_15(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        dunning_on(DUE, times=2)
        assert messages(contract, "dunning_sms") == []

        [first, second] = dunning_on(day(11), times=2)
        assert (first.sms, first.tasks, first.coupons) == (1, 0, 1)
        assert (second.sms, second.tasks, second.coupons) == (0, 0, 0)
        assert messages(contract, "dunning_sms") == [
            (
                "dunning_sms",
                "sms",
                "Period 2 of 12, ¥399.00, due 2026-02-10, has not been paid. Please top up or add a new payment "
                "method in the app. While a payment is overdue, your next shipment is held and your points are "
                "frozen; both resume as soon as it is paid.",
            )
        ]
        dunning_on(day(12), times=2)
        assert CallTask.objects.filter(customer=contract.customer).count() == 0

        dunning_on(day(13), times=2)
        dunning_on(day(14), times=2)
        task = CallTask.objects.get(customer=contract.customer)
        assert (task.kind, task.status, task.due_on, task.period.number) == (
            CallTaskKind.CALL, CallTaskStatus.OPEN, day(13), 2,
        )  # fmt: skip
        assert len(messages(contract, "dunning_sms")) == 1

        dunning_on(day(25), times=2)
        dunning_on(day(26))
        tasks = CallTask.objects.filter(customer=contract.customer).order_by("id")
        assert list(tasks.values_list("kind", "due_on", "status")) == [
            (CallTaskKind.CALL, day(13), CallTaskStatus.OPEN),
            (CallTaskKind.VISIT, day(25), CallTaskStatus.OPEN),
        ]
        assert len(messages(contract, "dunning_sms")) == 1


def test_the_first_overdue_issues_a_deferral_coupon_once(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        for each in (DUE, day(11), day(12), day(13)):
            dunning_on(each, times=2)
        coupon = DeferralCoupon.objects.get(contract=contract)
        assert (coupon.reason, coupon.used_on, coupon.issued_at) == ("overdue", None, at(day(11)))
        plan = contract.plan_version.plan.name
        assert messages(contract, "deferral_coupon_issued") == [
            (
                "deferral_coupon_issued",
                "in_app",
                f"You have a one-off deferral coupon for your {plan} plan: use it in the app to move one monthly "
                "debit (and every later one) a month later.",
            )
        ]


def test_escalation_steps_are_the_shop_s_own(shop):
    with schema_context(shop.schema_name):
        settings_set(escalation_steps=[{"day": 2, "action": "visit"}, {"day": 2, "action": "sms"}, {"bad": 1}])
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        dunning_on(day(11), times=2)
        assert messages(contract, "dunning_sms") == []
        dunning_on(day(12), times=2)
        assert len(messages(contract, "dunning_sms")) == 1
        assert list(CallTask.objects.filter(customer=contract.customer).values_list("kind", flat=True)) == ["visit"]


def test_recovery_releases_the_holds_and_closes_the_open_call_task(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        for each in (DUE, day(11), day(13)):
            dunning_on(each)
        assert customer_holds(customer=contract.customer) == Holds(True, True, "overdue")
        with on(day(14), 11, 0):
            method = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
            contract_payment_method_replace(contract=contract, payment_method=method)
        assert customer_holds(customer=contract.customer) == Holds(False, False, "")
        task = CallTask.objects.get(customer=contract.customer)
        assert (task.status, task.outcome_note, task.done_at) == (
            CallTaskStatus.CANCELLED, "Closed automatically: the period is no longer overdue.", at(day(14), 11, 0),
        )  # fmt: skip
        contract.customer.refresh_from_db()
        assert (contract.customer.standing, contract.customer.standing_since) == (C, at(day(14), 11, 0))
