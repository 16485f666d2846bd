"""A plan entitlement redeemed at a partner counts against the period's allowance exactly like
an in-shop booking: one grooming a month is one, wherever it is used; parallel redemptions
never exceed it."""
from datetime import date

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.care.enums import BenefitSource
from pawpact.care.errors import EntitlementUnavailable
from pawpact.care.services.bookings import booking_create
from pawpact.care.services.partner_redemptions import partner_visit_book
from pawpact.core.clock import FixedClock
from pawpact.partners.bookings import partner_booking_cancel
from pawpact.partners.enums import BookingStatus
from pawpact.partners.models import PartnerBooking
from tests.care.factories import NOW, at, contract_with_grooming, groomer, grooming
from tests.partners.factories import listed

MONDAY = date(2026, 3, 9)  # period 2 of the contracts
TUESDAY = date(2026, 3, 10)  # period 3
CLOCK = FixedClock(NOW)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def groomers():
    return (listed(name="Silk Groomers", kind="groomer", services=("grooming", "bath"), price_minor=6_000),
            listed(name="Cloud Groomers", kind="groomer", services=("grooming",), price_minor=7_000))  # fmt: skip


def redeem(shop, partner, pet, day, service="grooming"):
    return partner_visit_book(shop=shop, partner_id=partner.pk, pet=pet, service=service,
                              scheduled_at=at(day, 10), with_entitlement=True, clock=CLOCK)  # fmt: skip


def test_a_grooming_used_at_a_partner_leaves_none_that_month_in_the_shop_or_at_another_partner(shop):
    silk, cloud = groomers()
    with schema_context(shop.schema_name):
        contract = contract_with_grooming(quantity=1)
        service = grooming(price_minor=8_800)
        resource = groomer(service)
        first = redeem(shop, silk, contract.pet, MONDAY)
        assert (first.contract_uuid, first.period_number, first.entitlement_kind, first.price_minor) == (
            contract.uuid, 2, "grooming", 6_000)
        in_shop = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=resource,
                                 starts_at=at(MONDAY, 14), clock=CLOCK)  # fmt: skip
        assert (in_shop.benefit_source, in_shop.amount_due_minor) == (BenefitSource.PAID, 8_800)
        with pytest.raises(EntitlementUnavailable) as refused:
            redeem(shop, cloud, contract.pet, MONDAY, service="grooming")
        assert refused.value.fields["with_entitlement"]
        with pytest.raises(EntitlementUnavailable):
            redeem(shop, silk, contract.pet, MONDAY, service="bath")  # a bath draws on the same grooming
        assert PartnerBooking.objects.filter(shop=shop, with_entitlement=True).count() == 1
        # The next period has its own grooming, at any partner.
        next_month = redeem(shop, cloud, contract.pet, TUESDAY)
        assert (next_month.period_number, next_month.price_minor) == (3, 7_000)
        # Cancelled at the partner, the unit comes back, for the shop too.
        partner_booking_cancel(shop=shop, booking_id=first.pk)
        again = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=resource,
                               starts_at=at(MONDAY, 16), clock=CLOCK)  # fmt: skip
        assert (again.benefit_source, again.amount_due_minor, again.period.number) == (
            BenefitSource.PLAN_ENTITLEMENT, 0, 2)


def test_an_in_shop_grooming_leaves_no_partner_redemption_that_month(shop):
    silk, _cloud = groomers()
    with schema_context(shop.schema_name):
        contract = contract_with_grooming(quantity=1)
        service = grooming()
        booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=groomer(service),
                       starts_at=at(MONDAY, 9), clock=CLOCK)  # fmt: skip
        with pytest.raises(EntitlementUnavailable):
            redeem(shop, silk, contract.pet, MONDAY)
        assert PartnerBooking.objects.count() == 0


def test_a_service_no_plan_covers_is_refused_and_writes_nothing(shop):
    clinic = listed(name="Jade Clinic", services=("dental", "checkup"))
    with schema_context(shop.schema_name):
        contract = contract_with_grooming(quantity=1)
        with pytest.raises(EntitlementUnavailable):
            redeem(shop, clinic, contract.pet, MONDAY, service="dental")
        with pytest.raises(EntitlementUnavailable):
            redeem(shop, clinic, contract.pet, MONDAY, service="checkup")  # the plan has no check-up
        paid = partner_visit_book(shop=shop, partner_id=clinic.pk, pet=contract.pet, service="checkup",
                                  scheduled_at=at(MONDAY, 10), clock=CLOCK)  # fmt: skip
        assert (paid.with_entitlement, paid.price_minor, paid.contract_uuid) == (False, 0, None)
    assert PartnerBooking.objects.count() == 1
