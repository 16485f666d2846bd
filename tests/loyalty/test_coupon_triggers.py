"""Triggers issue the template the shop picked, once per source event; off without one."""
from datetime import date, datetime, timedelta

import pytest

from pawpact.billing.models import Contract
from pawpact.customers.models import Customer, Pet
from pawpact.loyalty.coupon_models import Coupon, TriggerKind
from pawpact.loyalty.coupon_triggers import (
    birthday_coupons_run,
    coupons_on_contract_terminated,
    coupons_on_debit_paid,
    new_member_coupons_run,
    silent_coupons_run,
    trigger_set,
)
from pawpact.loyalty.points import points_on_debit_paid
from pawpact.messaging.models import Message
from tests.billing.lifecycle.termination.helpers import adopt
from tests.loyalty.conftest import NOW, member
from tests.loyalty.coupon_helpers import amount_off, free_service
from tests.loyalty.helpers import debit, monthly_debits

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def _paid(contract, number: int, *, attempt: int = 1, at: datetime = NOW) -> dict:
    return {"contract_uuid": str(contract.uuid), "period_number": number, "amount_minor": 39_900, "currency": "CNY",
            "attempt_number": attempt, "outcome": "succeeded", "at": at.isoformat()}  # fmt: skip


def _deliver(payload):
    points_on_debit_paid(payloads=[payload])  # the subscribers in their settings order
    coupons_on_debit_paid(payloads=[payload])


def test_three_and_six_on_time_debits_issue_their_coupons_once_each_replayed():
    trigger_set(kind=TriggerKind.PAID_STREAK_3, template=free_service("grooming", per_customer_limit=5))
    trigger_set(kind=TriggerKind.PAID_STREAK_6, template=free_service("deworming", per_customer_limit=5))
    contract = adopt()
    for number in range(1, 7):
        payload = _paid(contract, number, at=NOW + timedelta(days=30 * number))
        _deliver(payload)
        _deliver(payload)  # delivered twice
    kinds = list(Coupon.objects.filter(customer=contract.customer).order_by("id")
                 .values_list("template__service_kind", "source_key"))  # fmt: skip
    assert kinds == [("grooming", f"paid_streak_3:{contract.uuid}:3"), ("deworming", f"paid_streak_6:{contract.uuid}:6")]
    assert Message.objects.filter(topic="coupon_issued", customer=contract.customer).count() == 2


def test_a_late_debit_breaks_the_streak_and_no_template_means_off():
    contract = adopt()
    for number in (1, 2, 3):
        _deliver(_paid(contract, number, at=NOW + timedelta(days=30 * number)))
    assert Coupon.objects.count() == 0  # no template picked: the trigger is off
    trigger_set(kind=TriggerKind.PAID_STREAK_3, template=amount_off(1_000))
    _deliver(_paid(contract, 4, attempt=2, at=NOW + timedelta(days=120)))  # paid on a retry: not on time
    for number in (5, 6):
        _deliver(_paid(contract, number, at=NOW + timedelta(days=30 * number)))
    assert Coupon.objects.count() == 0
    _deliver(_paid(contract, 7, at=NOW + timedelta(days=210)))
    assert list(Coupon.objects.values_list("source_key", flat=True)) == [f"paid_streak_3:{contract.uuid}:7"]


def test_birthdays_of_customers_and_pets_once_a_year():
    trigger_set(kind=TriggerKind.BIRTHDAY, template=amount_off(2_000, per_customer_limit=10))
    born_today = member(birth_date=date(1990, 3, 9))
    member(birth_date=date(1990, 3, 10))
    owner = member(birth_date=date(1991, 1, 1))
    pet = Pet.objects.create(owner=owner, name="Mimi", species="cat", birthday=date(2020, 3, 9))
    assert birthday_coupons_run() == 2
    assert birthday_coupons_run() == 2  # the same day again: the same two coupons
    assert sorted(Coupon.objects.values_list("source_key", flat=True)) == sorted(
        [f"birthday:{born_today.uuid}:2026", f"birthday:{pet.uuid}:2026"])
    assert Coupon.objects.count() == 2


def test_new_members_and_silent_customers_from_the_daily_run(traveller):
    trigger_set(kind=TriggerKind.NEW_MEMBER, template=amount_off(1_000, days=7))
    trigger_set(kind=TriggerKind.SILENT_30, template=amount_off(3_000, per_customer_limit=5))
    old = member()
    Customer.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=90))
    monthly_debits(old, count=1, last=NOW - timedelta(days=31))
    active = member()
    Customer.objects.filter(pk=active.pk).update(created_at=NOW - timedelta(days=90))
    monthly_debits(active, count=1, last=NOW - timedelta(days=2))
    newcomer = member()
    assert new_member_coupons_run() == 1 and new_member_coupons_run() == 1
    new = Coupon.objects.get(customer=newcomer)
    assert (new.valid_from, new.valid_until) == (date(2026, 3, 9), date(2026, 3, 15))
    assert silent_coupons_run() == 1 and silent_coupons_run() == 1
    assert list(Coupon.objects.filter(template__amount_off_minor=3_000).values_list("customer_id", flat=True)) == [old.pk]
    assert Coupon.objects.count() == 2


def test_a_terminated_customer_gets_the_winback_coupon_once():
    trigger_set(kind=TriggerKind.WINBACK, template=amount_off(5_000))
    contract = adopt()
    Contract.objects.filter(pk=contract.pk).update(status="terminated_early")
    payload = {"contract_uuid": str(contract.uuid), "reason": "early_termination"}
    coupons_on_contract_terminated(payload=payload)
    coupons_on_contract_terminated(payload=payload)
    coupons_on_contract_terminated(payload={"contract_uuid": str(contract.uuid), "reason": "completed"})
    assert list(Coupon.objects.values_list("source_key", flat=True)) == [f"winback:{contract.uuid}"]


def test_streak_reads_activity_only_once_per_event():
    customer = member()
    from pawpact.loyalty.coupon_triggers import on_time_streaks
    from pawpact.loyalty.points import points_events_apply

    event = debit(customer, at=NOW)
    points_events_apply(events=[event, event])
    assert on_time_streaks(source_keys=[event.source_key]) == {event.source_key: 1}
