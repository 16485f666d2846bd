"""Tier benefits applied: the goods discount at checkout (and the member day's extra), points
on the member day, free services from the tier's quota per period, and the multi-pet
household's half price; settings with a bad day or percentage refused, nothing written."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.care.enums import BenefitSource, PaymentStatus
from pawpact.care.services.bookings import booking_cancel, booking_create
from pawpact.core.clock import FixedClock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Pet
from pawpact.loyalty.benefits import member_benefits_get, member_benefits_save, member_day_of
from pawpact.loyalty.models import MemberBenefits, Membership, PointsEntry, Tier, TierBasis
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.storefront.pricing import discount_for
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming
from tests.loyalty.helpers import order

CLOCK = FixedClock(NOW)  # Saturday 7 March 2026, Beijing


@pytest.fixture(autouse=True)
def alpha(shop):
    with time_machine.travel(NOW, tick=False), schema_context(shop.schema_name):
        yield


def gold(customer):
    """Spend ¥5,000 within a year: Gold of the spend/visits preset (5% off goods, 1 free service a month)."""
    points_events_apply(events=[order(customer, at=NOW - timedelta(days=10), amount_minor=500_000)])
    membership = Membership.objects.select_related("tier").get(customer=customer)
    assert membership.tier.name == "Gold"
    return membership


def test_the_tier_discount_and_the_member_days_extra_at_checkout():
    tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    customer, _pet = customer_with_pet()
    gold(customer)

    assert discount_for(customer=customer, subtotal_minor=12_345).amount_minor == 617  # 5%, down to the fen
    assert "Gold member: 5% off goods" in discount_for(customer=customer, subtotal_minor=12_345).label

    member_benefits_save(member_day=7, discount_percent=3, points_multiplier=2, multi_pet_half_price=False)
    discount = discount_for(customer=customer, subtotal_minor=12_345)
    assert discount.amount_minor == 987  # 8% on the 7th
    nobody, _pet = customer_with_pet()  # no tier: the member day's 3% only
    assert discount_for(customer=nobody, subtotal_minor=10_000).amount_minor == 300
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert discount_for(customer=customer, subtotal_minor=12_345).amount_minor == 617


def test_points_on_the_member_day_are_multiplied_once():
    member_benefits_save(member_day=7, discount_percent=0, points_multiplier=Decimal("2.5"), multi_pet_half_price=False)
    customer, _pet = customer_with_pet()
    on_day = order(customer, at=NOW, amount_minor=10_000, key="order.paid:md-1")
    points_events_apply(events=[on_day, order(customer, at=NOW + timedelta(days=1), amount_minor=10_000)])
    points_events_apply(events=[on_day])  # replayed

    assert sorted(PointsEntry.objects.filter(customer=customer).values_list("points", flat=True)) == [100, 250]
    assert Membership.objects.get(customer=customer).points_balance == 350


def test_the_member_day_falls_on_the_last_day_of_shorter_months():
    assert member_day_of(31, date(2026, 4, 30)) and member_day_of(31, date(2026, 2, 28))
    assert not member_day_of(31, date(2026, 3, 30)) and member_day_of(8, date(2026, 3, 8))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"member_day": 0}, "member_day"), ({"member_day": 32}, "member_day"),
        ({"discount_percent": -1}, "member_day_discount_percent"),
        ({"discount_percent": 91}, "member_day_discount_percent"),
        ({"points_multiplier": "1.255"}, "member_day_points_multiplier"),
        ({"points_multiplier": "0.5"}, "member_day_points_multiplier"),
    ],
)
def test_bad_member_benefits_are_refused_and_nothing_is_written(values, field):
    member_benefits_save(member_day=8, discount_percent=5, points_multiplier=2, multi_pet_half_price=True)
    with pytest.raises(ValidationFailed) as refused:
        member_benefits_save(**{"member_day": 8, "discount_percent": 5, "points_multiplier": 2,
                                "multi_pet_half_price": False, **values})  # fmt: skip
    assert list(refused.value.fields) == [field]
    saved = member_benefits_get()
    assert (saved.member_day, saved.member_day_discount_percent, saved.member_day_points_multiplier,
            saved.multi_pet_half_price) == (8, 5, Decimal("2.00"), True)  # fmt: skip
    assert MemberBenefits.objects.count() == 1


def test_the_tiers_free_service_quota_covers_one_grooming_a_month():
    tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    service = grooming(price_minor=8_800)
    resource = groomer(service)
    customer, pet = customer_with_pet()
    gold(customer)

    def book(day, hour):
        return booking_create(customer=customer, pet=pet, service=service, resource=resource,
                              starts_at=at(day, hour), clock=CLOCK)  # fmt: skip

    first = book(date(2026, 3, 9), 10)
    second = book(date(2026, 3, 9), 14)
    april = book(date(2026, 4, 2), 10)
    assert (first.benefit_source, first.amount_due_minor, first.benefit_reference) == (
        BenefitSource.TIER_BENEFIT, 0, f"tier:{customer.uuid}:2026-03"
    )
    assert (second.benefit_source, second.amount_due_minor, second.payment_status) == (
        BenefitSource.PAID, 8_800, PaymentStatus.DUE
    )
    assert (april.benefit_source, april.amount_due_minor) == (BenefitSource.TIER_BENEFIT, 0)
    booking_cancel(booking=first, clock=CLOCK)  # in time: the month's free service is back
    again = book(date(2026, 3, 10), 10)
    assert (again.benefit_source, again.amount_due_minor) == (BenefitSource.TIER_BENEFIT, 0)


def test_the_second_pet_of_a_household_pays_half_when_the_shop_offers_it():
    service = grooming(price_minor=8_801)
    resource = groomer(service)
    customer, first_pet = customer_with_pet()
    second_pet = Pet.objects.create(owner=customer, name="Second", species="dog")

    def book(pet, hour):
        return booking_create(customer=customer, pet=pet, service=service, resource=resource,
                              starts_at=at(date(2026, 3, 9), hour), clock=CLOCK)  # fmt: skip

    assert book(second_pet, 9).amount_due_minor == 8_801  # the shop does not offer it yet
    member_benefits_save(member_day=None, discount_percent=0, points_multiplier=1, multi_pet_half_price=True)
    assert book(first_pet, 10).amount_due_minor == 8_801
    half = book(second_pet, 14)
    assert (half.benefit_source, half.price_minor, half.amount_due_minor) == (BenefitSource.TIER_BENEFIT, 8_801, 4_400)
    assert Tier.objects.count() == 0  # a shop without tier rules still gives the household benefit
