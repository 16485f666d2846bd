"""Service messages to the customer about their bookings and complaints: a booking made,
moved or cancelled (by them or by staff), a complaint answered or resolved.

They are service messages (the customer is waiting for them), so messaging's marketing
cap does not hold them back. Each carries the link to the page it is about, and is
deduplicated per fact: a retried request sends nothing twice, a second move sends again.
"""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.care.models import Booking, Complaint, ComplaintEntry
from pawpact.core.links import site_url
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.tenants.models import Shop

NOTICE_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
BOOKING_NOTICE_TOPIC = "booking_notice"
COMPLAINT_NOTICE_TOPIC = "complaint_notice"


def _page(name: str, uuid) -> str:
    """The customer's page on the shop's own address (messages are read outside any request)."""
    path = reverse(name, kwargs={"uuid": uuid}, urlconf=settings.ROOT_URLCONF)
    domain = Shop.objects.get(schema_name=connection.schema_name).get_primary_domain()
    return site_url(domain.domain, path) if domain else path


def booking_notice_send(*, booking: Booking, fact: str) -> None:
    """Tell the customer a booking was made ("booked"), moved ("moved") or cancelled ("cancelled")."""
    with translation.override(booking.customer.message_language):
        local = timezone.localtime(booking.starts_at, timezone.get_default_timezone())
        values = {"service": booking.service.name, "pet": booking.pet.name, "resource": booking.resource.name,
                  "time": f"{local:%Y-%m-%d %H:%M}"}  # fmt: skip
        subjects = {"booked": _("Booking confirmed"), "moved": _("Booking moved"), "cancelled": _("Booking cancelled")}
        bodies = {
            "booked": _("%(service)s for %(pet)s with %(resource)s at %(time)s is booked."),
            "moved": _("%(service)s for %(pet)s is moved to %(time)s with %(resource)s."),
            "cancelled": _("%(service)s for %(pet)s at %(time)s is cancelled."),
        }
        body = f"{bodies[fact] % values} {_page('care:my_booking', booking.uuid)}"
        message_send(customer=booking.customer, topic=BOOKING_NOTICE_TOPIC, category=Category.SERVICE,
                     channels=NOTICE_CHANNELS, subject=subjects[fact], body=body,
                     dedupe_key=f"care-booking-{fact}:{booking.uuid}:{booking.starts_at:%Y%m%d%H%M}")  # fmt: skip


def complaint_notice_send(*, complaint: Complaint, entry: ComplaintEntry, resolved: bool) -> None:
    """Tell the customer the shop answered their complaint, or says it is resolved (please confirm)."""
    with translation.override(complaint.customer.message_language):
        if resolved:
            subject = _("Your complaint is resolved")
            lead = _(
                "The shop says your complaint is resolved. Please confirm, or reopen it if something is still wrong:"
            )
        else:
            subject = _("The shop answered your complaint")
            lead = _("The shop answered your complaint:")
        body = f"{lead} {entry.text[:200]} {_page('care:my_complaint', complaint.uuid)}"
        message_send(customer=complaint.customer, topic=COMPLAINT_NOTICE_TOPIC, category=Category.SERVICE,
                     channels=NOTICE_CHANNELS, subject=subject, body=body,
                     dedupe_key=f"care-complaint:{complaint.uuid}:{entry.pk}")  # fmt: skip
