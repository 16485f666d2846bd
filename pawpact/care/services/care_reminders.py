"""Daily care reminders: a vaccine coming due, deworming every 30 days, the pet's birthday
and its adoption anniversary.

Each reminder is recorded once per pet, kind and due date (a unique row), and its message
carries the same key, so a rerun of the day, or two workers at once, send nothing twice.
Vaccine and deworming reminders concern the pet's health and go out as service messages;
birthday and anniversary greetings are marketing and count against the shop's daily cap,
so some are stored suppressed — the run reports how many.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.care.pet_enums import CareReminderKind, HealthRecordKind
from pawpact.care.pet_models import CareReminder, HealthRecord
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer, Pet, message_language_of
from pawpact.messaging.models import Category, Channel, MessageStatus
from pawpact.messaging.services import MessageDraft, channel_dedupe_key, message_send_many

CARE_REMINDER_TOPIC = "care_reminder"
VACCINE_LEAD = timedelta(days=7)
DEWORMING_LEAD = timedelta(days=3)
DEWORMING_EVERY = timedelta(days=30)
CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
MARKETING_KINDS = (CareReminderKind.BIRTHDAY, CareReminderKind.ADOPTION_ANNIVERSARY)


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    suppressed: int


@dataclass(frozen=True)
class _Due:
    pet: Pet
    kind: str
    due_on: date
    product: str = ""


def _same_day(day: date, today: date) -> bool:
    """Anniversaries of 29 February fall on 28 February in other years."""
    if (day.month, day.day) == (2, 29) and today.month == 2 and today.day == 28:
        try:
            date(today.year, 2, 29)
        except ValueError:
            return True
    return (day.month, day.day) == (today.month, today.day)


def _vaccines_due(today: date) -> list[_Due]:
    # A later shot of the same vaccine answers this due date.
    later = HealthRecord.objects.filter(
        pet=OuterRef("pet"), kind=HealthRecordKind.VACCINE, product__iexact=OuterRef("product"), done_on__gt=OuterRef("done_on")
    )
    records = HealthRecord.objects.filter(
        kind=HealthRecordKind.VACCINE, next_due__gte=today, next_due__lte=today + VACCINE_LEAD, pet__owner__isnull=False
    ).exclude(Exists(later)).select_related("pet")
    return [_Due(record.pet, CareReminderKind.VACCINE_DUE, record.next_due, record.product) for record in records]


def _dewormings_due(today: date) -> list[_Due]:
    latest = (
        HealthRecord.objects.filter(kind=HealthRecordKind.DEWORMING, pet__owner__isnull=False)
        .select_related("pet").order_by("pet_id", "-done_on", "-id").distinct("pet_id")
    )
    found = []
    for record in latest:
        due = record.next_due or record.done_on + DEWORMING_EVERY
        if today <= due <= today + DEWORMING_LEAD:
            found.append(_Due(record.pet, CareReminderKind.DEWORMING_DUE, due, record.product))
    return found


def _anniversaries(today: date) -> list[_Due]:
    pets = Pet.objects.filter(owner__isnull=False).exclude(birthday__isnull=True, adoption_date__isnull=True)
    found = []
    for pet in pets.filter(birthday__month=today.month) | pets.filter(adoption_date__month=today.month):
        if pet.birthday and pet.birthday < today and _same_day(pet.birthday, today):
            found.append(_Due(pet, CareReminderKind.BIRTHDAY, today))
        if pet.adoption_date and pet.adoption_date.year < today.year and _same_day(pet.adoption_date, today):
            found.append(_Due(pet, CareReminderKind.ADOPTION_ANNIVERSARY, today))
    return found


def _text(due: _Due, today: date) -> tuple[str, str]:
    pet = due.pet.name
    if due.kind == CareReminderKind.VACCINE_DUE:
        body = _("%(pet)s's %(product)s vaccine is due on %(day)s. Book it with us.")
        return _("A vaccine is due"), body % {"pet": pet, "product": due.product, "day": f"{due.due_on:%Y-%m-%d}"}
    if due.kind == CareReminderKind.DEWORMING_DUE:
        body = _("%(pet)s's next deworming is due on %(day)s.")
        return _("Deworming is due"), body % {"pet": pet, "day": f"{due.due_on:%Y-%m-%d}"}
    if due.kind == CareReminderKind.BIRTHDAY:
        years = today.year - due.pet.birthday.year
        return _("Happy birthday!"), _("%(pet)s turns %(years)s today. Happy birthday!") % {"pet": pet, "years": years}
    years = today.year - due.pet.adoption_date.year
    body = _("%(years)s year(s) ago today, %(pet)s came home with you.")
    return _("Adoption anniversary"), body % {"pet": pet, "years": years}


def _key(due: _Due) -> str:
    return f"care-reminder:{due.pet.uuid}:{due.kind}:{due.due_on:%Y%m%d}"


def care_reminders_send(*, clock: Clock = default_clock) -> ReminderRun:
    """Send today's care reminders not yet sent; how many went out and how many the cap held back."""
    today = clock.today()
    candidates = _vaccines_due(today) + _dewormings_due(today) + _anniversaries(today)
    done = set(
        CareReminder.objects.filter(pet_id__in={d.pet.pk for d in candidates}, due_on__gte=today - DEWORMING_EVERY)
        .values_list("pet_id", "kind", "due_on")
    )
    pending = list({(d.pet.pk, d.kind, d.due_on): d for d in candidates if (d.pet.pk, d.kind, d.due_on) not in done}.values())
    if not pending:
        return ReminderRun(sent=0, suppressed=0)
    drafts = []
    languages = dict(Customer.objects.filter(pk__in={d.pet.owner_id for d in pending}).values_list("pk", "language"))
    for due in pending:
        with translation.override(message_language_of(languages.get(due.pet.owner_id, ""))):
            subject, body = _text(due, today)
        category = Category.MARKETING if due.kind in MARKETING_KINDS else Category.SERVICE
        drafts.append(MessageDraft(
            customer_id=due.pet.owner_id, topic=CARE_REMINDER_TOPIC, category=category, channels=CHANNELS,
            subject=subject, body=body, dedupe_key=_key(due),
        ))
    with transaction.atomic():
        messages = message_send_many(drafts=drafts, clock=clock)
        suppressed_keys = {m.dedupe_key for m in messages if m.status == MessageStatus.SUPPRESSED}
        rows = [
            CareReminder(
                pet=due.pet, kind=due.kind, due_on=due.due_on, created_at=clock.now(),
                suppressed=channel_dedupe_key(_key(due), CHANNELS[0]) in suppressed_keys,
            )
            for due in pending
        ]
        CareReminder.objects.bulk_create(rows, ignore_conflicts=True)
    suppressed = sum(row.suppressed for row in rows)
    return ReminderRun(sent=len(rows) - suppressed, suppressed=suppressed)
