"""The points ledger: earned from events once per source event, multiplied by tier and
birthday month, frozen while overdue and released after, spent oldest-expiry first,
never below zero, expired through the ledger."""
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from pawpact.core.errors import ValidationFailed
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.loyalty.errors import InsufficientPoints
from pawpact.loyalty.models import Membership, PointsEntry, PointsKind, Tier
from pawpact.loyalty.points import points_events_apply, points_expire_run, points_redeem, points_release_run
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.outbox.services import shop_event_publish
from tests.billing.lifecycle.termination.helpers import adopt
from tests.loyalty.conftest import NOW, member
from tests.loyalty.helpers import debit, order

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def balances(customer) -> tuple[int, int]:
    membership = Membership.objects.get(customer=customer)
    return membership.points_balance, membership.points_frozen


def ledger(customer) -> list[tuple[str, int, int]]:
    return list(
        PointsEntry.objects.filter(customer=customer).order_by("occurred_at", "id").values_list("kind", "points", "remaining")
    )


def test_order_paid_published_by_the_shop_awards_a_point_per_yuan_once():
    customer = member()
    payload = {"order_uuid": "3f1d7c1e-0000-4000-8000-000000000001", "customer_uuid": str(customer.uuid),
               "amount_minor": 12_345, "currency": "CNY", "at": NOW.isoformat()}  # fmt: skip

    shop_event_publish(kind="order.paid", payload=payload)
    shop_event_publish(kind="order.paid", payload=payload)  # delivered twice

    assert ledger(customer) == [("earn", 123, 123)]
    entry = PointsEntry.objects.get(customer=customer)
    assert (entry.source_event, entry.source_key) == ("order.paid", f"order.paid:{payload['order_uuid']}")
    assert entry.expires_on == date(2027, 12, 31)  # the end of the following year
    assert balances(customer) == (123, 0)


def test_a_paid_debit_through_billing_awards_100_points(shop):
    contract = adopt()  # period 1 paid at activation

    entry = PointsEntry.objects.get(customer=contract.customer)
    assert (entry.kind, entry.points, entry.source_key) == ("earn", 100, f"debit.paid:{contract.uuid}:1")
    assert balances(contract.customer) == (100, 0)


def test_tier_and_birthday_multipliers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis="paid_months")
    march_born, july_born = member(birth_date=date(1990, 3, 20)), member(birth_date=date(1990, 7, 1))
    for customer in (march_born, july_born):
        Membership.objects.create(customer=customer, tier_rank=3, tier_id=_tier_id("Diamond"))

    points_events_apply(events=[order(march_born, at=NOW, amount_minor=10_000),
                                order(july_born, at=NOW, amount_minor=10_000)])  # fmt: skip

    assert balances(march_born) == (600, 0)  # 100 × Diamond 2 × birthday month 3
    assert balances(july_born) == (200, 0)


def _tier_id(name: str) -> int:
    return Tier.objects.get(rule_set__active=True, name=name).pk


def test_points_earned_while_overdue_are_frozen_then_released_on_recovery():
    customer = member()
    points_events_apply(events=[order(customer, at=NOW - timedelta(days=40), amount_minor=5_000)])
    Customer.objects.filter(pk=customer.pk).update(standing=CustomerStanding.OVERDUE)
    points_events_apply(events=[debit(customer, at=NOW)])
    assert balances(customer) == (50, 100)

    with pytest.raises(InsufficientPoints):
        points_redeem(customer=customer, points=60, source_key="gift-1")  # frozen points are not spendable
    assert points_release_run() == 0  # still overdue
    assert balances(customer) == (50, 100)

    Customer.objects.filter(pk=customer.pk).update(standing=CustomerStanding.CURRENT)
    assert points_release_run() == 100
    assert balances(customer) == (150, 0)
    released = PointsEntry.objects.get(customer=customer, source_event="debit.paid")
    assert (released.frozen, released.released_at) == (False, NOW)
    assert points_release_run() == 0


def test_redemption_spends_the_earliest_expiring_lots_and_never_overdraws():
    customer = member()
    points_events_apply(events=[order(customer, at=datetime(2025, 6, 1, tzinfo=UTC), amount_minor=8_000),
                                order(customer, at=NOW, amount_minor=5_000)])  # fmt: skip
    with pytest.raises(InsufficientPoints) as refused:
        points_redeem(customer=customer, points=131, source_key="gift-1")
    assert refused.value.fields == {"points": ["More than the available points."]}
    assert balances(customer) == (130, 0) and PointsEntry.objects.filter(kind=PointsKind.REDEEM).count() == 0

    first = points_redeem(customer=customer, points=100, source_key="gift-1", memo="Chew toy")
    again = points_redeem(customer=customer, points=100, source_key="gift-1", memo="Chew toy")

    assert first.pk == again.pk
    assert ledger(customer) == [("earn", 80, 0), ("earn", 50, 30), ("redeem", -100, 0)]
    assert balances(customer) == (30, 0)


@pytest.mark.parametrize("points", [0, -5, 1.5, "10", True])
def test_a_redemption_of_no_whole_positive_points_is_refused(points):
    customer = member()
    points_events_apply(events=[order(customer, at=NOW, amount_minor=5_000)])
    with pytest.raises(ValidationFailed):
        points_redeem(customer=customer, points=points, source_key="x")
    assert balances(customer) == (50, 0) and len(ledger(customer)) == 1


def test_the_database_refuses_a_negative_balance():
    customer = member()
    points_events_apply(events=[order(customer, at=NOW, amount_minor=5_000)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(customer=customer).update(points_balance=-1)


def test_what_is_left_of_a_lot_expires_through_the_ledger(traveller):
    customer = member()
    points_events_apply(events=[order(customer, at=datetime(2025, 6, 1, tzinfo=UTC), amount_minor=8_000),
                                order(customer, at=NOW, amount_minor=5_000)])  # fmt: skip
    points_redeem(customer=customer, points=30, source_key="gift-1")
    assert points_expire_run() == 0  # the 2025 lot is good until 31 December 2026

    traveller.move_to(datetime(2027, 1, 1, 2, 0, tzinfo=UTC))
    assert points_expire_run() == 50
    assert points_expire_run() == 0

    assert ledger(customer) == [("earn", 80, 0), ("earn", 50, 50), ("redeem", -30, 0), ("expire", -50, 0)]
    assert balances(customer) == (50, 0)
    assert sum(points for _kind, points, _left in ledger(customer)) == 50


def test_a_replay_in_any_order_with_duplicates_awards_each_event_once():
    customers = [member() for _ in range(3)]
    events = [debit(c, at=NOW - timedelta(days=30 * i), key=f"debit.paid:r:{c.pk}:{i}") for c in customers
              for i in range(5)]  # fmt: skip
    points_events_apply(events=events[::-1] + events[:4])
    points_events_apply(events=events[3:9])
    assert [balances(c) for c in customers] == [(500, 0)] * 3
    assert PointsEntry.objects.filter(customer__in=customers).count() == 15


def test_events_for_another_shops_customer_award_nothing_here(other_shop):
    customer = member()
    payload = {"order_uuid": "3f1d7c1e-0000-4000-8000-000000000002", "customer_uuid": str(customer.uuid),
               "amount_minor": 10_000, "currency": "CNY", "at": NOW.isoformat()}  # fmt: skip
    with schema_context(other_shop.schema_name):
        shop_event_publish(kind="order.paid", payload=payload)
        assert PointsEntry.objects.count() == Membership.objects.count() == 0
        assert points_release_run() == points_expire_run() == 0
    assert PointsEntry.objects.filter(customer=customer).count() == 0
