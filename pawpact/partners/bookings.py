"""Bookings shops send to partners, and the customers' ratings of them.

A booking paid by a plan entitlement is cleared through the platform when it is
completed: the platform posts the shop's debt to the partner on its ledger, once
(pawpact.tenants.ports.PlatformSide.partner_clearing_post).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from pawpact.core.clock import default_clock
from pawpact.partners.enums import BookingStatus, PartnerState
from pawpact.partners.errors import (
    AlreadyRated,
    PartnerBookingNotFound,
    PartnerInvalid,
    PartnerStateConflict,
    RatingRefused,
    VisitNotYet,
)
from pawpact.partners.hours import day_label, is_open, local_moment
from pawpact.partners.models import Partner, PartnerBooking, PartnerRating
from pawpact.partners.services import rating_evaluate
from pawpact.tenants.models import Shop
from pawpact.tenants.ports import platform_side

BOOKABLE = (PartnerState.LISTED, PartnerState.RECTIFICATION)


def partner_booking_send(
    *, shop: Shop, partner_id: int, customer_uuid: UUID, customer_name: str, pet_name: str, service: str,
    scheduled_at: datetime, note: str = "", with_entitlement: bool = False, contract_uuid: UUID | None = None,
    period_number: int | None = None, entitlement_kind: str = "", clock=default_clock,
) -> PartnerBooking:  # fmt: skip
    """A booking at a listed partner (one under rectification still serves); never at a delisted one.

    A redemption names the allowance it uses (contract, period, kind): the shop claims it first
    (pawpact.care.services.partner_redemptions), in the same transaction."""
    if with_entitlement and (contract_uuid is None or period_number is None or not entitlement_kind):
        raise PartnerInvalid(_("Choose the plan entitlement to redeem."),
                             fields={"with_entitlement": [_("No plan entitlement was claimed.")]})  # fmt: skip
    with transaction.atomic():
        partner = Partner.objects.select_for_update().filter(pk=partner_id).first()
        if partner is None:
            raise PartnerInvalid(_("Choose a partner."), fields={"partner": [_("No such partner.")]})
        if partner.state not in BOOKABLE:
            raise PartnerStateConflict(_("%(name)s does not take bookings.") % {"name": partner.name},
                                       fields={"partner": [partner.get_state_display()]})  # fmt: skip
        errors = {}
        if service not in partner.services:
            errors["service"] = [_("%(name)s does not offer this service.") % {"name": partner.name}]
        if scheduled_at <= clock.now():
            errors["scheduled_at"] = [_("Choose a time in the future.")]
        elif is_open(partner.weekly_hours, open_24h=partner.open_24h, at=scheduled_at) is False:
            weekday, _time = local_moment(scheduled_at)
            errors["scheduled_at"] = [_("%(name)s is closed at that time. Its hours on %(day)s: %(hours)s.") % {
                "name": partner.name, "day": WEEKDAYS[weekday], "hours": day_label(partner.weekly_hours[weekday])}]
        if not pet_name.strip():
            errors["pet_name"] = [_("This field is required.")]
        if errors:
            raise PartnerInvalid(_("Check the highlighted fields."), fields=errors)
        return PartnerBooking.objects.create(
            shop=shop, partner=partner, customer_uuid=customer_uuid, customer_name=customer_name[:120],
            pet_name=pet_name.strip()[:80], service=service, scheduled_at=scheduled_at, note=note[:255],
            with_entitlement=with_entitlement,
            price_minor=partner.entitlement_price_minor if with_entitlement else 0, created_at=clock.now(),
            contract_uuid=contract_uuid if with_entitlement else None,
            period_number=period_number if with_entitlement else None,
            entitlement_kind=entitlement_kind if with_entitlement else "",
        )  # fmt: skip


def _shop_booking(*, shop: Shop, booking_id: int) -> PartnerBooking:
    booking = PartnerBooking.objects.select_for_update().filter(pk=booking_id, shop=shop).first()
    if booking is None:
        raise PartnerBookingNotFound(_("No such booking."))
    return booking


def partner_booking_complete(*, shop: Shop, booking_id: int, clock=default_clock) -> PartnerBooking:
    """The service was given: the customer may rate it, and an entitlement is cleared."""
    with transaction.atomic():
        return locked_booking_complete(_shop_booking(shop=shop, booking_id=booking_id), clock=clock)


def locked_booking_complete(booking: PartnerBooking, *, clock=default_clock) -> PartnerBooking:
    """Complete a booking locked by the caller; completing again changes nothing."""
    if booking.status == BookingStatus.COMPLETED:
        return booking
    if booking.status != BookingStatus.REQUESTED:
        raise PartnerStateConflict(_("A cancelled booking cannot be completed."))
    _visit_has_happened(booking, now=clock.now())
    booking.status, booking.completed_at = BookingStatus.COMPLETED, clock.now()
    booking.save(update_fields=["status", "completed_at"])
    if booking.with_entitlement and booking.price_minor > 0:
        platform_side().partner_clearing_post(booking_id=booking.pk)
    return booking


def _visit_has_happened(booking: PartnerBooking, *, now: datetime) -> None:
    # Completing clears money to the partner and opens the rating: both need a visit that took place.
    if booking.scheduled_at > now:
        raise VisitNotYet(
            _("This visit is booked for later: it can be completed once it has taken place."),
            fields={"scheduled_at": [_("Not yet.")]},
        )


def partner_booking_cancel(*, shop: Shop, booking_id: int) -> PartnerBooking:
    with transaction.atomic():
        booking = _shop_booking(shop=shop, booking_id=booking_id)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        if booking.status != BookingStatus.REQUESTED:
            raise PartnerStateConflict(_("A completed booking cannot be cancelled."))
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
    return booking


def rating_submit(
    *, shop: Shop, booking_id: int, customer_uuid: UUID, stars, comment: str = "", clock=default_clock
) -> PartnerRating:
    """The customer's 1–5 stars for their own completed booking, once; then the ratings rule."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise RatingRefused(_("Give 1 to 5 stars."), fields={"stars": [_("Give 1 to 5 stars.")]})
    with transaction.atomic():
        booking = PartnerBooking.objects.filter(pk=booking_id, shop=shop, customer_uuid=customer_uuid).first()
        if booking is None:
            raise PartnerBookingNotFound(_("No such booking."))
        if booking.status != BookingStatus.COMPLETED:
            raise RatingRefused(
                _("Only a completed service can be rated."), fields={"booking": [_("Not completed yet.")]}
            )
        if PartnerRating.objects.filter(booking=booking).exists():
            raise AlreadyRated(_("You have already rated this service."))
        partner = Partner.objects.select_for_update().get(pk=booking.partner_id)
        try:
            with transaction.atomic():
                rating = PartnerRating.objects.create(partner=partner, booking=booking, shop=shop, stars=stars,
                                                      comment=comment.strip()[:500], created_at=clock.now())  # fmt: skip
        except IntegrityError:
            raise AlreadyRated(_("You have already rated this service.")) from None
        rating_evaluate(partner=partner, now=clock.now())
    return rating
