"""A paid membership's benefits beside the tier's: the better goods discount of the two at
checkout (never both), the member day's extras stacked on top, the higher points
multiplier, and the membership's own free services a month after the tier's quota."""
from datetime import date

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.care.enums import BenefitSource
from pawpact.care.services.bookings import booking_create
from pawpact.core.clock import FixedClock
from pawpact.loyalty.benefits import member_benefits_save
from pawpact.loyalty.models import PointsEntry, TierBasis
from pawpact.loyalty.paid_membership import paid_membership_join
from pawpact.loyalty.paid_models import PaidMembership, PaidStatus
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.storefront.pricing import discount_for
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming
from tests.loyalty.helpers import order
from tests.loyalty.paid_helpers import method, plan
from tests.loyalty.test_member_benefits import gold

CLOCK = FixedClock(NOW)  # Saturday 7 March 2026, Beijing


@pytest.fixture(autouse=True)
def alpha(shop):
    with time_machine.travel(NOW, tick=False), schema_context(shop.schema_name):
        yield


def _join(customer, **benefits):
    return paid_membership_join(customer=customer, plan=plan(990, **benefits), payment_method=method(customer),
                                request_key=f"join-{customer.pk}", clock=CLOCK)  # fmt: skip


def test_the_better_goods_discount_applies_and_the_member_day_extras_stack():
    tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    gold_member, _pet = customer_with_pet()
    gold(gold_member)  # Gold: 5% off goods
    _join(gold_member, goods_discount_percent=10, member_day_extra_percent=4)
    discount = discount_for(customer=gold_member, subtotal_minor=12_345)
    assert discount.amount_minor == 1_234 and "Club 990 member: 10% off goods" in discount.label  # 10%, not 15%

    modest, _pet = customer_with_pet()
    gold(modest)
    _join(modest, goods_discount_percent=3, member_day_extra_percent=4)
    assert discount_for(customer=modest, subtotal_minor=12_345).amount_minor == 617  # the tier's 5% is better

    member_benefits_save(member_day=7, discount_percent=3, points_multiplier=1, multi_pet_half_price=False)
    assert discount_for(customer=gold_member, subtotal_minor=10_000).amount_minor == 1_700  # 10 + 3 + 4
    assert discount_for(customer=modest, subtotal_minor=10_000).amount_minor == 1_200  # 5 + 3 + 4
    PaidMembership.objects.filter(customer=gold_member).update(status=PaidStatus.LAPSED)
    assert discount_for(customer=gold_member, subtotal_minor=10_000).amount_minor == 800  # tier 5 + shop's 3


def test_points_take_the_higher_multiplier_once():
    tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    customer, _pet = customer_with_pet()
    gold(customer)  # Gold ×1.5
    _join(customer, points_multiplier=2)
    earn = order(customer, at=NOW, amount_minor=10_000, key="order.paid:paid-1")
    points_events_apply(events=[earn])
    points_events_apply(events=[earn])  # replayed: once
    assert PointsEntry.objects.get(source_key="order.paid:paid-1").points == 200  # ×2, not ×3
    other, _pet = customer_with_pet()
    gold(other)
    _join(other, points_multiplier=1)
    points_events_apply(events=[order(other, at=NOW, amount_minor=10_000, key="order.paid:paid-2")])
    assert PointsEntry.objects.get(source_key="order.paid:paid-2").points == 150  # the tier's ×1.5


def test_the_memberships_free_services_come_after_the_tiers_quota():
    tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    service = grooming(price_minor=8_800)
    resource = groomer(service)
    customer, pet = customer_with_pet()
    gold(customer)  # 1 free service a month from the tier
    membership = _join(customer, free_services_per_month=1)

    def book(day, hour):
        return booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(day, hour),
                              clock=CLOCK)  # fmt: skip

    first, second, third = book(date(2026, 3, 9), 10), book(date(2026, 3, 9), 14), book(date(2026, 3, 10), 10)
    assert [(b.benefit_source, b.amount_due_minor) for b in (first, second, third)] == [
        (BenefitSource.TIER_BENEFIT, 0), (BenefitSource.TIER_BENEFIT, 0), (BenefitSource.PAID, 8_800)]  # fmt: skip
    assert second.benefit_reference == f"paid:{membership.uuid}:2026-03"
