"""Two customers racing for one slot on real, separately committing connections: the
database's exclusion constraint lets exactly one booking in."""
import threading
from datetime import date

from django.db import connections
from django_tenants.utils import schema_context

from pawpact.care.errors import SlotUnavailable
from pawpact.care.models import Booking, DayOff, Resource, ServiceType, WorkingHours
from pawpact.care.services.bookings import booking_create
from pawpact.core.clock import FixedClock
from pawpact.customers.models import Customer, Pet
from pawpact.messaging.models import Message
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming

RACERS = 6
MONDAY = date(2026, 3, 9)


def _committed(function):
    """Run on a connection of its own, which commits for real (outside the test's transaction)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 — re-raised in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_racing_bookings_of_one_slot_leave_exactly_one(shop):
    schema = shop.schema_name

    def seed():
        with schema_context(schema):
            service = grooming()
            resource = groomer(service, name="Race groomer")
            return service.pk, resource.pk, [customer_with_pet() for _ in range(RACERS)]

    service_id, resource_id, people = _committed(seed)
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(customer, pet, minute):
        try:
            with schema_context(schema):
                service, resource = ServiceType.objects.get(pk=service_id), Resource.objects.get(pk=resource_id)
                barrier.wait(timeout=30)
                booking_create(
                    customer=customer, pet=pet, service=service, resource=resource,
                    starts_at=at(MONDAY, 10, minute), clock=FixedClock(NOW),
                )  # fmt: skip
                outcomes.append("booked")
        except SlotUnavailable:
            outcomes.append("slot_unavailable")
        finally:
            connections.close_all()

    # Every racer overlaps every other: starts 10:00, 10:10, … with one-hour appointments.
    threads = [
        threading.Thread(target=race, args=(customer, pet, 10 * n)) for n, (customer, pet) in enumerate(people)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["booked"] + ["slot_unavailable"] * (RACERS - 1)

        def count():
            with schema_context(schema):
                return Booking.objects.filter(resource_id=resource_id).count()

        assert _committed(count) == 1

        def confirmations():
            with schema_context(schema):
                return Message.objects.filter(customer_id__in=[customer.pk for customer, _ in people]).count()

        assert _committed(confirmations) == 2  # the winner's, on SMS and in-app; the loser rolled back with its booking
    finally:

        def clean():
            with schema_context(schema):
                customer_ids = [customer.pk for customer, _ in people]
                Booking.objects.filter(resource_id=resource_id).delete()
                WorkingHours.objects.filter(resource_id=resource_id).delete()
                DayOff.objects.filter(resource_id=resource_id).delete()
                Resource.objects.filter(pk=resource_id).delete()
                ServiceType.objects.filter(pk=service_id).delete()
                Message.objects.filter(customer_id__in=customer_ids).delete()  # the winner's confirmation
                Pet.objects.filter(owner_id__in=customer_ids).delete()
                Customer.objects.filter(pk__in=customer_ids).delete()

        _committed(clean)
