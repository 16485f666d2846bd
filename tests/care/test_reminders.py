"""Appointment reminders: once per booking within 24 hours, again after a reschedule."""
from datetime import date, timedelta

from django_tenants.utils import schema_context

from pawpact.care.services.bookings import booking_create, booking_reschedule
from pawpact.care.services.reminders import BOOKING_REMINDER_TOPIC, booking_reminders_send
from pawpact.core.clock import FixedClock
from pawpact.messaging.models import Message
from tests.care.factories import NOW, at, customer_with_pet, groomer, grooming

SUNDAY, MONDAY = date(2026, 3, 8), date(2026, 3, 9)


def test_each_appointment_is_reminded_once_the_day_before(shop):
    with schema_context(shop.schema_name):
        service = grooming()
        resource = groomer(service)
        customer, pet = customer_with_pet()
        clock = FixedClock(NOW)
        soon = booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(SUNDAY, 10), clock=clock)
        later = booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(MONDAY, 10), clock=clock)
        assert booking_reminders_send(clock=clock) == 1
        assert booking_reminders_send(clock=clock) == 0
        rows = list(Message.objects.filter(topic=BOOKING_REMINDER_TOPIC).values_list("customer_id", "channel", "category", "status"))
        assert sorted(rows) == [(customer.pk, "in_app", "service", "sent"), (customer.pk, "sms", "service", "sent")]
        soon.refresh_from_db()
        assert soon.reminded_at == NOW
        # A day later Monday's is due; moved, Sunday's is reminded again for its new time.
        next_day = FixedClock(NOW + timedelta(hours=23))
        booking_reschedule(booking=soon, starts_at=at(SUNDAY, 16), clock=FixedClock(NOW))
        assert booking_reminders_send(clock=next_day) == 2
        assert Message.objects.filter(topic=BOOKING_REMINDER_TOPIC).count() == 6
        later.refresh_from_db()
        assert later.reminded_at == next_day.now()
