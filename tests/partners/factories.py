"""Partners in the states tests need, through the services (never by hand)."""

import uuid
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from pawpact.core.clock import FixedClock, default_clock
from pawpact.partners.bookings import partner_booking_complete, partner_booking_send
from pawpact.partners.enums import StandardItem
from pawpact.partners.services import partner_onboard, partner_publish, partner_verify

PDF = b"%PDF-1.4\n% licence\n"


def licence() -> SimpleUploadedFile:
    return SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")


def onboard(*, name="Riverside Vet", kind="clinic", latitude=31.2304, longitude=121.4737, price_minor=8000,
            services=("emergency", "checkup", "vaccine")):  # fmt: skip
    return partner_onboard(
        kind=kind, name=name, phone="021-5555-0100", address="1 Riverside Rd", latitude=latitude,
        longitude=longitude, services=list(services), licence_number="PX-2026-001", licence_file=licence(),
        entitlement_price_minor=price_minor,
    )  # fmt: skip


def listed(**kwargs):
    partner = onboard(**kwargs)
    partner = partner_verify(partner=partner, checklist=StandardItem.values)
    return partner_publish(partner=partner)


def booking(shop, partner, *, customer_uuid=None, with_entitlement=False, service="checkup", completed=True):
    # A completed visit took place an hour ago (booked the hour before); an open one is tomorrow.
    now = default_clock.now()
    sent = partner_booking_send(
        shop=shop, partner_id=partner.pk, customer_uuid=customer_uuid or uuid.uuid4(), customer_name="Lin Wei",
        pet_name="Mochi", service=service, with_entitlement=with_entitlement,
        scheduled_at=now - timedelta(hours=1) if completed else now + timedelta(days=1),
        clock=FixedClock(now - timedelta(hours=2)) if completed else default_clock,
        **({"contract_uuid": uuid.uuid4(), "period_number": 1, "entitlement_kind": "checkup"} if with_entitlement else {}),
    )  # fmt: skip
    if completed:
        return partner_booking_complete(shop=shop, booking_id=sent.pk)
    return sent
