"""Booking rules, benefit order (plan entitlement, else paid), the counter journal, no-shows."""
from datetime import date, timedelta

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.billing.enums import LedgerAccount
from pawpact.billing.models import Journal, LedgerLine
from pawpact.care.enums import BenefitSource, BookingStatus, PaymentStatus
from pawpact.care.errors import BookingChangeClosed, BookingInvalid, BookingStateInvalid, SlotUnavailable
from pawpact.care.models import Booking
from pawpact.care.services.bookings import (
    booking_cancel,
    booking_complete,
    booking_create,
    booking_no_show,
    booking_reschedule,
)
from pawpact.care.services.catalogue import day_off_add
from pawpact.core.clock import FixedClock
from tests.care.factories import NOW, at, contract_with_grooming, customer_with_pet, groomer, grooming

MONDAY = date(2026, 3, 9)  # period 2 of the contracts
WEDNESDAY = date(2026, 3, 11)  # period 3
CLOCK = FixedClock(NOW)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alpha(shop):
    with schema_context(shop.schema_name):
        yield


def book(customer, pet, service, resource, starts_at, clock=CLOCK):
    return booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=starts_at, clock=clock)


def test_without_benefit_the_price_is_paid_at_the_counter_once(alpha):
    service = grooming(price_minor=8_800)
    resource = groomer(service)
    customer, pet = customer_with_pet()
    booking = book(customer, pet, service, resource, at(MONDAY, 10))
    assert (booking.benefit_source, booking.price_minor, booking.amount_due_minor, booking.payment_status) == (
        BenefitSource.PAID, 8_800, 8_800, PaymentStatus.DUE,
    )
    assert booking.ends_at == at(MONDAY, 11)
    after = FixedClock(at(MONDAY, 11))
    with pytest.raises(BookingInvalid):
        booking_complete(booking=booking, collected=False, clock=after)
    assert Journal.objects.filter(kind="care_service_paid").count() == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    booking = booking_complete(booking=booking, collected=True, clock=after)
    assert (booking.status, booking.payment_status) == (BookingStatus.COMPLETED, PaymentStatus.PAID)
    lines = sorted(LedgerLine.objects.filter(journal__idempotency_key=f"care.booking.paid:{booking.uuid}").values_list("account", "amount_minor"))
    assert lines == [(LedgerAccount.SERVICE_REVENUE, -8_800), (LedgerAccount.STORE_CASH, 8_800)]
    with pytest.raises(BookingStateInvalid):
        booking_complete(booking=booking, collected=True, clock=after)
    assert Journal.objects.filter(kind="care_service_paid").count() == 1


def test_the_periods_plan_entitlement_is_used_first_then_the_booking_is_paid(alpha):
    service = grooming(price_minor=8_800)
    resource = groomer(service)
    contract = contract_with_grooming(quantity=1)
    first = book(contract.customer, contract.pet, service, resource, at(MONDAY, 9))
    assert (first.benefit_source, first.amount_due_minor, first.payment_status) == (
        BenefitSource.PLAN_ENTITLEMENT, 0, PaymentStatus.NOT_DUE,
    )
    assert (first.contract_id, first.period.number) == (contract.pk, 2)
    second = book(contract.customer, contract.pet, service, resource, at(MONDAY, 10))
    assert (second.benefit_source, second.amount_due_minor) == (BenefitSource.PAID, 8_800)
    # The next period has its own grooming.
    third = book(contract.customer, contract.pet, service, resource, at(WEDNESDAY, 9))
    assert (third.benefit_source, third.period.number) == (BenefitSource.PLAN_ENTITLEMENT, 3)
    # Cancelled in time, the unit comes back for the next booking of that period.
    booking_cancel(booking=first, clock=CLOCK)
    fourth = book(contract.customer, contract.pet, service, resource, at(MONDAY, 14))
    assert (fourth.benefit_source, fourth.period.number, fourth.amount_due_minor) == (BenefitSource.PLAN_ENTITLEMENT, 2, 0)


def test_a_no_show_keeps_the_unit_and_charges_nothing(alpha):
    service = grooming()
    resource = groomer(service)
    contract = contract_with_grooming(quantity=1)
    booking = book(contract.customer, contract.pet, service, resource, at(MONDAY, 9))
    with pytest.raises(BookingStateInvalid):
        booking_no_show(booking=booking, clock=CLOCK)  # not started yet
    booking = booking_no_show(booking=booking, clock=FixedClock(at(MONDAY, 10)))
    assert booking.status == BookingStatus.NO_SHOW
    later = book(contract.customer, contract.pet, service, resource, at(MONDAY, 15))
    assert later.benefit_source == BenefitSource.PAID
    assert Journal.objects.filter(kind="care_service_paid").count() == 0


def test_a_paid_no_show_owes_nothing(alpha):
    service = grooming()
    resource = groomer(service)
    customer, pet = customer_with_pet()
    booking = book(customer, pet, service, resource, at(MONDAY, 9))
    booking = booking_no_show(booking=booking, clock=FixedClock(at(MONDAY, 10)))
    assert (booking.amount_due_minor, booking.payment_status) == (0, PaymentStatus.NOT_DUE)


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("past", BookingInvalid),
        ("before_opening", BookingInvalid),
        ("over_lunch", BookingInvalid),
        ("day_off", BookingInvalid),
        ("other_customers_pet", BookingInvalid),
        ("service_not_offered", BookingInvalid),
        ("too_far_ahead", BookingInvalid),
        ("overlapping", SlotUnavailable),
    ],
)
def test_bad_bookings_are_refused_and_write_nothing(alpha, case, error):
    service = grooming()
    other_service = grooming()
    resource = groomer(service)
    customer, pet = customer_with_pet()
    _, someone_elses_pet = customer_with_pet()
    day_off_add(resource=resource, day=WEDNESDAY)
    book(customer, pet, service, resource, at(MONDAY, 10))
    before = list(Booking.objects.values_list("id", "starts_at", "status"))
    attempt = {
        "past": dict(starts_at=NOW - timedelta(hours=1)),
        "before_opening": dict(starts_at=at(MONDAY, 8, 30)),
        "over_lunch": dict(starts_at=at(MONDAY, 11, 30)),
        "day_off": dict(starts_at=at(WEDNESDAY, 10)),
        "other_customers_pet": dict(pet=someone_elses_pet, starts_at=at(MONDAY, 15)),
        "service_not_offered": dict(service=other_service, starts_at=at(MONDAY, 15)),
        "too_far_ahead": dict(starts_at=at(MONDAY + timedelta(days=120), 10)),
        "overlapping": dict(starts_at=at(MONDAY, 10, 30)),
    }[case]
    values = {"customer": customer, "pet": pet, "service": service, "resource": resource, "clock": CLOCK, **attempt}
    with pytest.raises(error):
        booking_create(**values)
    assert list(Booking.objects.values_list("id", "starts_at", "status")) == before


def test_reschedule_moves_the_slot_and_claims_the_new_periods_benefit(alpha):
    service = grooming()
    resource = groomer(service)
    contract = contract_with_grooming(quantity=1)
    paid = book(contract.customer, contract.pet, service, resource, at(MONDAY, 9))
    assert paid.benefit_source == BenefitSource.PLAN_ENTITLEMENT
    extra = book(contract.customer, contract.pet, service, resource, at(MONDAY, 10))
    assert extra.benefit_source == BenefitSource.PAID
    # Moved into period 3, the extra booking finds that period's grooming unused.
    moved = booking_reschedule(booking=extra, starts_at=at(WEDNESDAY, 9), clock=CLOCK)
    assert (moved.starts_at, moved.benefit_source, moved.period.number, moved.amount_due_minor) == (
        at(WEDNESDAY, 9), BenefitSource.PLAN_ENTITLEMENT, 3, 0,
    )
    # Its old time is free again; moving onto a taken time is refused and changes nothing.
    book(contract.customer, contract.pet, service, resource, at(MONDAY, 10))
    with pytest.raises(SlotUnavailable):
        booking_reschedule(booking=moved, starts_at=at(MONDAY, 9, 30), clock=CLOCK)
    moved.refresh_from_db()
    assert (moved.starts_at, moved.benefit_source) == (at(WEDNESDAY, 9), BenefitSource.PLAN_ENTITLEMENT)


def test_customers_cannot_change_within_two_hours_but_staff_can(alpha):
    service = grooming()
    resource = groomer(service)
    customer, pet = customer_with_pet()
    booking = book(customer, pet, service, resource, at(MONDAY, 10))
    late = FixedClock(at(MONDAY, 8, 30))
    with pytest.raises(BookingChangeClosed):
        booking_cancel(booking=booking, clock=late)
    with pytest.raises(BookingChangeClosed):
        booking_reschedule(booking=booking, starts_at=at(MONDAY, 15), clock=late)
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at) == (BookingStatus.BOOKED, at(MONDAY, 10))
    booking = booking_cancel(booking=booking, by_staff=True, clock=late)
    assert booking.status == BookingStatus.CANCELLED
    with pytest.raises(BookingStateInvalid):
        booking_cancel(booking=booking, by_staff=True, clock=late)
