"""Free slots: working windows, lunch, days off, booked times and the past are left out;
the fast walk agrees with a naive per-slot check."""
from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.care.selectors import Slot, slot_is_offered, slots_available
from pawpact.care.services.bookings import booking_create
from pawpact.care.services.catalogue import day_off_add
from pawpact.care.models import Booking
from pawpact.core.clock import FixedClock
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming

SATURDAY, SUNDAY, MONDAY = date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)


def naive_slots(service, resource, days, now) -> list[Slot]:
    """One check per candidate start, straight against the database."""
    found = []
    for day in days:
        start = at(day, 0)
        while start < at(day, 0) + timedelta(days=1):
            end = start + timedelta(minutes=service.duration_minutes)
            taken = Booking.objects.filter(resource=resource, starts_at__lt=end, ends_at__gt=start).exclude(status="cancelled").exists()
            if start > now and slot_is_offered(resource=resource, starts_at=start, ends_at=end) and not taken:
                found.append(Slot(resource.pk, start, end))
            start += timedelta(minutes=30)
    return found


@pytest.fixture
def alpha(shop):
    with schema_context(shop.schema_name):
        yield


def test_slots_leave_out_lunch_days_off_bookings_and_the_past(alpha):
    service = grooming(minutes=90)
    resource = groomer(service)
    customer, pet = customer_with_pet()
    booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(MONDAY, 14), clock=FixedClock(NOW))
    day_off_add(resource=resource, day=SUNDAY)
    slots = slots_available(service=service, day_from=SATURDAY, day_to=MONDAY, now=NOW)
    starts = [slot.starts_at for slot in slots]
    # Saturday: noon has passed, so the afternoon only; a 90-minute groom fits until 16:30.
    saturday = [at(SATURDAY, 13, m) for m in (0, 30)] + [at(SATURDAY, h, m) for h in (14, 15) for m in (0, 30)] + [at(SATURDAY, 16, 0), at(SATURDAY, 16, 30)]
    # Monday: 09:00–10:30 before lunch; 14:00–15:30 is booked, so 13:00 (ends 14:30) and 12:30–15:00 starts collide.
    monday = [at(MONDAY, 9), at(MONDAY, 9, 30), at(MONDAY, 10), at(MONDAY, 10, 30), at(MONDAY, 15, 30), at(MONDAY, 16), at(MONDAY, 16, 30)]
    assert starts == saturday + monday
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=90) for slot in slots)
    assert slots == naive_slots(service, resource, [SATURDAY, SUNDAY, MONDAY], NOW)


def test_slots_match_the_naive_check_on_random_bookings_days_off_and_hours(alpha):
    """Several resources with different hours, random bookings of 30–120 minutes (some cancelled)
    and days off: the search gives exactly the slots of the per-slot check, in the same order."""
    import random
    from datetime import time

    from pawpact.care.enums import BookingStatus
    from pawpact.care.services.catalogue import resource_create

    rng = random.Random(20260307)
    service = grooming(minutes=60)
    short = grooming(minutes=30)
    resources = [groomer(service, short, name="Groomer A")]
    resources.append(resource_create(name="Vet B", services=[service, short],
                                     hours=[(d, time(8, 30), time(11)) for d in range(5)] + [(d, time(14), time(20)) for d in range(6)]))  # fmt: skip
    resources.append(resource_create(name="Place C", services=[service], hours=[(d, time(10), time(16)) for d in (0, 2, 4, 5, 6)]))
    customer, pet = customer_with_pet()
    days = [MONDAY + timedelta(days=n) for n in range(4)]
    day_off_add(resource=resources[1], day=days[2])
    for resource in resources:
        for _attempt in range(12):
            day, hour, minute = rng.choice(days), rng.randint(8, 19), rng.choice((0, 30))
            length = rng.choice((30, 60, 90, 120))
            starts = at(day, hour, minute)
            if Booking.objects.filter(resource=resource, starts_at__lt=starts + timedelta(minutes=length), ends_at__gt=starts).exists():
                continue
            Booking.objects.create(customer=customer, pet=pet, service=service, resource=resource, starts_at=starts,
                                   ends_at=starts + timedelta(minutes=length), benefit_source="paid", price_minor=100,
                                   amount_due_minor=100, payment_status="due",
                                   status=BookingStatus.CANCELLED if rng.random() < 0.2 else BookingStatus.BOOKED)  # fmt: skip
    now = at(MONDAY, 10, 15)
    for chosen in (service, short):
        expected = [slot for resource in sorted(resources, key=lambda r: r.pk) if resource.services.filter(pk=chosen.pk).exists()
                    for slot in naive_slots(chosen, resource, days, now)]  # fmt: skip
        found = slots_available(service=chosen, day_from=days[0], day_to=days[-1], now=now)
        assert len(found) > 40
        assert found == expected
