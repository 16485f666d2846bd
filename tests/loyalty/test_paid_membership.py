"""Paid membership: joining through the rails (idempotent by key, the ledger records the
revenue), the one free trial per customer, renewals (a rerun never charges twice), failed
renewals retried then lapsed with a message, cancelling to the period's end, bad plans."""
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import account_balances
from pawpact.billing.models import Journal, PaymentMethod
from pawpact.core.clock import FixedClock
from pawpact.core.errors import Conflict, ValidationFailed
from pawpact.loyalty.errors import MembershipExists
from pawpact.payments.errors import PaymentDeclined
from pawpact.loyalty.paid_membership import paid_membership_join, paid_plan_save
from pawpact.loyalty.paid_models import ChargeStatus, PaidCharge, PaidMembership, PaidPlan, PaidStatus
from pawpact.loyalty.paid_refunds import paid_membership_cancel
from pawpact.loyalty.paid_renewals import paid_renewals_run
from pawpact.messaging.models import Message
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from tests.loyalty.conftest import NOW, member
from tests.loyalty.paid_helpers import method, plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_shop")]


def _charges(shop) -> list[int]:
    return list(SandboxCharge.objects.filter(shop_schema=shop.schema_name, outcome="succeeded")
                .order_by("id").values_list("amount_minor", flat=True))  # fmt: skip


def _revenue() -> tuple[int, int]:
    balances = account_balances()
    return balances.get(LedgerAccount.STORE_CASH, 0), balances.get(LedgerAccount.MEMBERSHIP_REVENUE, 0)


def test_joining_charges_once_per_key_and_the_ledger_records_the_revenue(shop):
    clock = FixedClock(NOW)
    customer, monthly = member(), plan(990)
    card = method(customer)
    joined = paid_membership_join(customer=customer, plan=monthly, payment_method=card, request_key="j-1", clock=clock)
    again = paid_membership_join(customer=customer, plan=monthly, payment_method=card, request_key="j-1", clock=clock)
    assert again.pk == joined.pk
    assert (joined.status, joined.period_start, joined.period_end) == (PaidStatus.ACTIVE, date(2026, 3, 9), date(2026, 4, 9))
    assert _charges(shop) == [990] and _revenue() == (990, -990)
    assert Journal.objects.filter(kind=JournalKind.MEMBERSHIP_PAID).count() == 1
    (event,) = OutboxEvent.objects.filter(kind="membership.charged")
    assert (event.payload["amount_minor"], event.payload["renewal"]) == (990, False)
    with pytest.raises(MembershipExists):
        paid_membership_join(customer=customer, plan=plan(9_900, months=12), payment_method=card, request_key="j-2",
                             clock=clock)  # fmt: skip
    assert PaidMembership.objects.count() == 1 and _charges(shop) == [990]


def test_a_declined_payment_keeps_no_membership_and_the_customer_can_try_again(shop):
    clock = FixedClock(NOW)
    customer, yearly = member(), plan(9_900, months=12)
    with pytest.raises(PaymentDeclined):
        paid_membership_join(customer=customer, plan=yearly, payment_method=method(customer, "tok_insufficient_funds"),
                             request_key="j-1", clock=clock)  # fmt: skip
    assert list(PaidMembership.objects.values_list("status", flat=True)) == [PaidStatus.FAILED]
    assert _revenue() == (0, 0) and not OutboxEvent.objects.filter(kind="membership.charged").exists()
    joined = paid_membership_join(customer=customer, plan=yearly, payment_method=method(customer), request_key="j-2",
                                  clock=clock)  # fmt: skip
    assert (joined.status, joined.period_end) == (PaidStatus.ACTIVE, date(2027, 3, 9))
    assert _revenue() == (9_900, -9_900)


def test_the_free_trial_is_once_per_customer_and_ends_in_the_first_charge(shop):
    clock = FixedClock(NOW)
    customer, trial_plan = member(), plan(990, trial_days=7)
    card = method(customer)
    trial = paid_membership_join(customer=customer, plan=trial_plan, payment_method=card, request_key="t-1", clock=clock)
    assert (trial.status, trial.is_trial, trial.period_end) == (PaidStatus.TRIALING, True, date(2026, 3, 16))
    assert _charges(shop) == [] and PaidCharge.objects.count() == 0
    paid_membership_cancel(membership=trial, clock=clock)
    clock.advance(timedelta(days=7))
    assert paid_renewals_run(clock=clock) == 0
    assert PaidMembership.objects.get(pk=trial.pk).status == PaidStatus.ENDED and _charges(shop) == []
    joined = paid_membership_join(customer=customer, plan=trial_plan, payment_method=card, request_key="t-2", clock=clock)
    assert (joined.status, joined.is_trial) == (PaidStatus.ACTIVE, False) and _charges(shop) == [990]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a second trial too
        PaidMembership.objects.filter(pk=joined.pk).update(is_trial=True)
    other = member()
    trial = paid_membership_join(customer=other, plan=trial_plan, payment_method=method(other), request_key="t-1",
                                 clock=clock)  # fmt: skip
    clock.advance(timedelta(days=7))
    paid_renewals_run(clock=clock)
    trial.refresh_from_db()
    assert (trial.status, trial.period_start, trial.period_end) == (PaidStatus.ACTIVE, date(2026, 3, 23), date(2026, 4, 23))
    assert _charges(shop) == [990, 990]


def test_renewal_at_the_period_end_charges_once_however_often_it_runs(shop):
    clock = FixedClock(NOW)
    customer = member()
    joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=method(customer), request_key="r",
                                  clock=clock)  # fmt: skip
    assert paid_renewals_run(clock=clock) == 0  # not due
    clock.advance(timedelta(days=31))  # 9 April
    assert paid_renewals_run(clock=clock) == 1
    assert paid_renewals_run(clock=clock) == 0
    joined.refresh_from_db()
    assert (joined.status, joined.period_start, joined.period_end) == (PaidStatus.ACTIVE, date(2026, 4, 9), date(2026, 5, 9))
    assert _charges(shop) == [990, 990] and _revenue() == (1_980, -1_980)
    assert [e.payload["renewal"] for e in OutboxEvent.objects.filter(kind="membership.charged").order_by("id")] == [False, True]


def test_a_renewal_whose_answer_was_lost_is_asked_again_under_its_key(shop, monkeypatch):
    from pawpact.loyalty import wallet_rail
    from pawpact.payments.base import ChargeResult

    clock = FixedClock(NOW)
    customer = member()
    joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=method(customer), request_key="r",
                                  clock=clock)  # fmt: skip
    clock.advance(timedelta(days=31))
    real = wallet_rail.charge

    def lost(**kwargs):
        real(**kwargs)  # the money moved; the answer never came back
        return ChargeResult(succeeded=False, outcome="rail_error:Timeout", is_unknown=True)

    monkeypatch.setattr("pawpact.loyalty.paid_membership.wallet_rail.charge", lost)
    paid_renewals_run(clock=clock)
    assert PaidCharge.objects.filter(status=ChargeStatus.PAYING).count() == 1
    monkeypatch.setattr("pawpact.loyalty.paid_membership.wallet_rail.charge", real)
    assert paid_renewals_run(clock=clock) == 0  # within the lease: nothing asked, nothing opened
    clock.advance(timedelta(minutes=6))
    assert paid_renewals_run(clock=clock) == 1
    joined.refresh_from_db()
    assert joined.period_end == date(2026, 5, 9) and _charges(shop) == [990, 990] and _revenue() == (1_980, -1_980)


def test_a_failed_renewal_is_retried_then_lapses_with_a_message_keeping_benefits_meanwhile(shop):
    clock = FixedClock(NOW)
    customer = member()
    joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=method(customer), request_key="r",
                                  clock=clock)  # fmt: skip
    PaymentMethod.objects.filter(pk=joined.payment_method_id).update(token="tok_insufficient_funds.x")
    clock.advance(timedelta(days=31))
    states = []
    for step in (timedelta(0), timedelta(days=1), timedelta(days=3)):
        clock.advance(step)
        paid_renewals_run(clock=clock)
        paid_renewals_run(clock=clock)  # a rerun the same hour charges nothing more
        joined.refresh_from_db()
        states.append((joined.status, joined.failed_renewals))
    assert states == [(PaidStatus.PAST_DUE, 1), (PaidStatus.PAST_DUE, 2), (PaidStatus.LAPSED, 3)]
    assert PaidCharge.objects.filter(status=ChargeStatus.FAILED).count() == 3 and _revenue() == (990, -990)
    messages = list(Message.objects.filter(topic="paid_membership", channel="in_app").order_by("id"))
    assert len(messages) == 3 and "membership has ended" in messages[-1].body
    (ended,) = OutboxEvent.objects.filter(kind="membership.ended")
    assert ended.payload["reason"] == "lapsed"
    clock.advance(timedelta(days=30))
    assert paid_renewals_run(clock=clock) == 0


def test_cancelling_keeps_the_member_to_the_period_end_then_ends_without_a_refund(shop):
    clock = FixedClock(NOW)
    customer = member()
    joined = paid_membership_join(customer=customer, plan=plan(9_900, months=12), payment_method=method(customer),
                                  request_key="c", clock=clock)  # fmt: skip
    paid_membership_cancel(membership=joined, clock=clock)
    paid_membership_cancel(membership=joined, clock=clock)
    joined.refresh_from_db()
    assert (joined.status, joined.cancel_at_period_end) == (PaidStatus.ACTIVE, True)
    clock.advance(timedelta(days=364))
    assert paid_renewals_run(clock=clock) == 0 and PaidMembership.objects.get(pk=joined.pk).status == PaidStatus.ACTIVE
    clock.advance(timedelta(days=1))
    paid_renewals_run(clock=clock)
    assert PaidMembership.objects.get(pk=joined.pk).status == PaidStatus.ENDED
    assert _charges(shop) == [9_900] and _revenue() == (9_900, -9_900)
    assert [e.payload["reason"] for e in OutboxEvent.objects.filter(kind="membership.ended")] == ["cancelled"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"price_minor": 0}, "price_minor"), ({"months": 2}, "months"), ({"goods_discount_percent": 95}, "goods_discount_percent"),
     ({"points_multiplier": "0.5"}, "points_multiplier"), ({"points_multiplier": "1.005"}, "points_multiplier"),
     ({"trial_days": -1}, "trial_days"), ({"name": ""}, "name"), ({"price_minor": 9.9}, "price_minor")],
)  # fmt: skip
def test_a_bad_plan_names_the_field_and_writes_nothing(shop, change, field):
    data = {"name": "Club", "price_minor": 990, "months": 1, "goods_discount_percent": 10, "points_multiplier": "2",
            "free_services_per_month": 1, "member_day_extra_percent": 0, "trial_days": 7, **change}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        paid_plan_save(**data)
    assert field in refused.value.fields and PaidPlan.objects.count() == 0


def test_another_shop_knows_nothing_of_the_members(shop, other_shop):
    customer = member()
    paid_membership_join(customer=customer, plan=plan(990), payment_method=method(customer), request_key="x",
                         clock=FixedClock(NOW))  # fmt: skip
    with schema_context(other_shop.schema_name):
        assert PaidMembership.objects.count() == 0 and PaidPlan.objects.count() == 0
        assert paid_renewals_run(clock=FixedClock(NOW + timedelta(days=40))) == 0
    assert _charges(shop) == [990]


def _refunds(shop) -> list[int]:
    return list(SandboxCharge.objects.filter(shop_schema=shop.schema_name, outcome="refunded").values_list("amount_minor", flat=True))


def test_the_shops_refund_rule_refunds_a_cancelled_period_once_within_its_days(shop):
    clock = FixedClock(NOW)
    early, late = member(), member()
    refundable = plan(9_900, months=12, refund_days=7)
    first = paid_membership_join(customer=early, plan=refundable, payment_method=method(early), request_key="e",
                                 clock=clock)  # fmt: skip
    second = paid_membership_join(customer=late, plan=refundable, payment_method=method(late), request_key="l",
                                  clock=clock)  # fmt: skip
    clock.advance(timedelta(days=6))
    cancelled = paid_membership_cancel(membership=first, clock=clock)
    assert cancelled.status == PaidStatus.REFUNDED and _refunds(shop) == [-9_900]
    assert _revenue() == (9_900, -9_900)  # the other member's year only
    assert Journal.objects.filter(kind=JournalKind.MEMBERSHIP_REFUNDED).count() == 1
    with pytest.raises(Conflict):
        paid_membership_cancel(membership=first, clock=clock)
    assert paid_renewals_run(clock=clock) == 0 and _refunds(shop) == [-9_900]
    clock.advance(timedelta(days=1))  # day 7: past the rule, no refund
    kept = paid_membership_cancel(membership=second, clock=clock)
    assert (kept.status, kept.cancel_at_period_end) == (PaidStatus.ACTIVE, True) and _refunds(shop) == [-9_900]
    assert [e.payload["reason"] for e in OutboxEvent.objects.filter(kind="membership.ended")] == ["refunded"]


def test_a_refund_the_rail_does_not_confirm_is_asked_again_and_given_once(shop, monkeypatch):
    from pawpact.payments.errors import RefundFailed
    from pawpact.payments.sandbox import SandboxRail

    clock = FixedClock(NOW)
    customer = member()
    joined = paid_membership_join(customer=customer, plan=plan(990, refund_days=3), payment_method=method(customer),
                                  request_key="r", clock=clock)  # fmt: skip
    real = SandboxRail.refund

    def lost(self, **kwargs):
        real(self, **kwargs)  # the money went back; our side never heard
        raise RefundFailed("timed out")

    monkeypatch.setattr(SandboxRail, "refund", lost)
    still = paid_membership_cancel(membership=joined, clock=clock)
    assert (still.status, still.cancel_at_period_end) == (PaidStatus.ACTIVE, True)
    assert PaidCharge.objects.get().refunded_at is None and _revenue() == (990, -990)
    monkeypatch.setattr(SandboxRail, "refund", real)
    paid_renewals_run(clock=clock)
    paid_renewals_run(clock=clock)
    assert PaidMembership.objects.get().status == PaidStatus.REFUNDED
    assert _refunds(shop) == [-990] and _revenue() == (0, 0)


def test_the_renewal_task_runs_in_the_shop_only_and_twice_charges_once(shop, other_shop, traveller):
    from pawpact.loyalty.tasks import paid_renewals_shop_task

    customer = member()
    joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=method(customer), request_key="t")
    traveller.move_to(NOW + timedelta(days=31))
    paid_renewals_shop_task()
    paid_renewals_shop_task()
    joined.refresh_from_db()
    assert joined.period_end == date(2026, 5, 9) and _charges(shop) == [990, 990]
    with schema_context(other_shop.schema_name):
        paid_renewals_shop_task()
        assert PaidCharge.objects.count() == 0
