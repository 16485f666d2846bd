"""The entitlement clearing house: a shop's customer redeems a plan entitlement at a
partner clinic, and the shop owes the partner the agreed price for it.

One journal per completed booking, keyed by the booking, so a retry never posts twice:
debit what the shop owes the platform, credit what the platform owes the partner. The
platform collects from the shop and pays the partner on the monthly statements
(pawpact.partners.selectors.clearing_statement).
"""

from pawpact.partners.enums import BookingStatus
from pawpact.partners.models import PartnerBooking
from pawpact.platform.enums import PlatformAccount, PlatformJournalKind
from pawpact.platform.funding.ledger import Line, journal_post


def clearing_key(booking_id: int) -> str:
    return f"partner.clearing:{booking_id}"


def partner_clearing_post(*, booking_id: int):
    booking = PartnerBooking.objects.select_related("partner").get(pk=booking_id)
    if booking.status != BookingStatus.COMPLETED or not booking.with_entitlement or booking.price_minor <= 0:
        return None
    journal, _created = journal_post(
        key=clearing_key(booking.pk),
        kind=PlatformJournalKind.PARTNER_CLEARING,
        lines=[
            Line(PlatformAccount.CLEARING_RECEIVABLE, booking.price_minor),
            Line(PlatformAccount.PARTNER_PAYABLE, -booking.price_minor),
        ],
        currency=booking.currency,
        shop_id=booking.shop_id,
        memo=f"{booking.partner.name}: {booking.get_service_display()} for {booking.pet_name}",
        at=booking.completed_at,
    )
    return journal
