"""Reminders of appointments, sent once per booking the day before.

An appointment reminder is a service message (the customer asked for the appointment),
so messaging's marketing cap does not hold it back; it is deduplicated per booking and
start time, so a rerun sends nothing twice and a rescheduled appointment is reminded again.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.care.enums import BookingStatus
from pawpact.care.models import Booking
from pawpact.core.clock import Clock, default_clock
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import MessageDraft, message_send_many

REMINDER_AHEAD = timedelta(hours=24)
BOOKING_REMINDER_TOPIC = "booking_reminder"
REMINDER_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)


def booking_reminders_send(*, clock: Clock = default_clock) -> int:
    """Remind every booked appointment starting within the next 24 hours; how many were reminded."""
    now = clock.now()
    due = list(
        Booking.objects.filter(
            status=BookingStatus.BOOKED, reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD
        ).select_related("service", "resource", "pet", "customer")
    )
    if not due:
        return 0
    with transaction.atomic():
        message_send_many(drafts=[_draft(booking) for booking in due], clock=clock)
        Booking.objects.filter(pk__in=[booking.pk for booking in due]).update(reminded_at=now)
    return len(due)


def _draft(booking: Booking) -> MessageDraft:
    with translation.override(booking.customer.message_language):
        return _draft_written(booking)


def _draft_written(booking: Booking) -> MessageDraft:
    local = timezone.localtime(booking.starts_at, timezone.get_default_timezone())
    body = _("Reminder: %(service)s for %(pet)s with %(resource)s at %(time)s.") % {
        "service": booking.service.name,
        "pet": booking.pet.name,
        "resource": booking.resource.name,
        "time": f"{local:%Y-%m-%d %H:%M}",
    }
    return MessageDraft(
        customer_id=booking.customer_id,
        topic=BOOKING_REMINDER_TOPIC,
        category=Category.SERVICE,
        channels=REMINDER_CHANNELS,
        subject=_("Your appointment is coming up"),
        body=body,
        dedupe_key=f"care-booking:{booking.uuid}:{booking.starts_at:%Y%m%d%H%M}",
    )
