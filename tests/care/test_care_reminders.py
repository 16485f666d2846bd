"""Daily care reminders: once per pet, kind and due date; greetings honour the marketing cap."""
from datetime import UTC, date, datetime, timedelta

from django_tenants.utils import schema_context

from pawpact.care.pet_models import CareReminder
from pawpact.care.services.care_reminders import CARE_REMINDER_TOPIC, care_reminders_send
from pawpact.care.services.pet_archive import health_record_add
from pawpact.core.clock import FixedClock
from pawpact.messaging.models import Message
from pawpact.messaging.services import messaging_settings_update
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, TODAY, shop_pet


def _pet(**fields):
    customer, pet = customer_with_pet()
    for name, value in fields.items():
        setattr(pet, name, value)
    pet.save()
    return customer, pet


def test_due_vaccines_dewormings_birthdays_and_anniversaries_are_sent_once(shop):
    with schema_context(shop.schema_name):
        _, vaccinated = _pet()
        health_record_add(pet=vaccinated, kind="vaccine", done_on=date(2025, 3, 25), product="Rabies", next_due=TODAY + timedelta(days=5), clock=CLOCK)
        _, answered = _pet()  # its due date was met by a later shot
        health_record_add(pet=answered, kind="vaccine", done_on=date(2025, 3, 25), product="Rabies", next_due=TODAY + timedelta(days=5), clock=CLOCK)
        health_record_add(pet=answered, kind="vaccine", done_on=TODAY, product="rabies", clock=CLOCK)
        _, wormy = _pet()
        health_record_add(pet=wormy, kind="deworming", done_on=TODAY - timedelta(days=28), product="Milbemax", clock=CLOCK)
        _, born = _pet(birthday=date(2024, 3, 20), adoption_date=date(2024, 6, 1))
        _, adopted = _pet(adoption_date=date(2025, 3, 20))
        _, far = _pet(birthday=date(2024, 3, 21))
        shop_pet()  # a shop pet without a family gets nothing
        run = care_reminders_send(clock=CLOCK)
        assert (run.sent, run.suppressed) == (4, 0)
        rows = set(CareReminder.objects.values_list("pet_id", "kind", "due_on"))
        assert rows == {
            (vaccinated.pk, "vaccine_due", date(2026, 3, 25)),
            (wormy.pk, "deworming_due", date(2026, 3, 22)),
            (born.pk, "birthday", TODAY),
            (adopted.pk, "adoption_anniversary", TODAY),
        }
        assert Message.objects.filter(topic=CARE_REMINDER_TOPIC).count() == 8  # SMS and in-app each
        later = FixedClock(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
        assert care_reminders_send(clock=later) == care_reminders_send(clock=CLOCK)
        assert (care_reminders_send(clock=CLOCK).sent, CareReminder.objects.count()) == (0, 4)
        assert Message.objects.filter(topic=CARE_REMINDER_TOPIC).count() == 8


def test_greetings_over_the_daily_cap_are_suppressed_and_counted_health_reminders_are_not(shop):
    with schema_context(shop.schema_name):
        messaging_settings_update(marketing_messages_per_day=1)
        customer, first = _pet(birthday=date(2023, 3, 20))
        from pawpact.customers.models import Pet

        second = Pet.objects.create(owner=customer, name="Second", species="dog", adoption_date=date(2024, 3, 20))
        health_record_add(pet=second, kind="vaccine", done_on=date(2025, 3, 22), product="DHPP", next_due=TODAY + timedelta(days=2), clock=CLOCK)
        run = care_reminders_send(clock=CLOCK)
        assert (run.sent, run.suppressed) == (2, 1)
        statuses = sorted(Message.objects.filter(topic=CARE_REMINDER_TOPIC, channel="sms").values_list("category", "status"))
        assert statuses == [("marketing", "sent"), ("marketing", "suppressed"), ("service", "sent")]
        assert CareReminder.objects.filter(suppressed=True).count() == 1
        assert care_reminders_send(clock=CLOCK).suppressed == 0
