"""What a partner does for itself once a platform admin has invited its people: keep its
profile and weekly hours current (a changed licence goes back to the platform for review) and mark the
bookings shops sent it as completed, which lets the customer rate the service."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.clock import default_clock
from pawpact.partners.bookings import locked_booking_complete
from pawpact.partners.enums import ChangeReason, PartnerService
from pawpact.partners.errors import PartnerBookingNotFound, PartnerInvalid
from pawpact.partners.hours import DAYS, week_parse
from pawpact.partners.models import Partner, PartnerBooking, PartnerMember, PartnerStateChange
from pawpact.partners.notifications import admins_notify, member_invitation_send
from pawpact.partners.services import _licence_errors, coordinates_errors


def partner_member_invite(*, partner: Partner, email: str, name: str = "", login_url: str, clock=default_clock):
    """Give `email` a sign-in for `partner` and mail them a link to choose a password."""
    email = (email or "").strip().lower()
    if "@" not in email:
        raise PartnerInvalid(_("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]})
    users = get_user_model().objects
    with transaction.atomic():
        user = users.filter(email__iexact=email).first()
        if user is not None and (user.is_staff or PartnerMember.objects.filter(user=user).exists()):
            message = _("This email already signs in elsewhere; invite another address.")
            raise PartnerInvalid(message, fields={"email": [message]})
        if user is None:
            user = users.create_user(email, None, name=name.strip()[:150])
        member = PartnerMember.objects.create(partner=partner, user=user, invited_at=clock.now())
        transaction.on_commit(lambda: member_invitation_send(member_id=member.pk, login_url=login_url))
    return member


def _profile_errors(*, phone, address, latitude, longitude, services, licence_number, licence_file):
    errors = coordinates_errors(latitude, longitude)
    for field, value in (("phone", phone), ("address", address), ("licence_number", licence_number)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if not services or any(service not in PartnerService.values for service in services):
        errors["services"] = [_("Choose at least one service from the list.")]
    if licence_file is not None and (problems := _licence_errors(licence_file)):
        errors["licence_file"] = problems
    return errors


def partner_profile_update(
    *, partner: Partner, phone: str, address: str, latitude, longitude, services: list[str],
    licence_number: str, licence_file: UploadedFile | None = None, clock=default_clock,
) -> Partner:  # fmt: skip
    """Save the partner's own profile; nothing is written unless every field is acceptable."""
    errors = _profile_errors(phone=phone, address=address, latitude=latitude, longitude=longitude,
                             services=services, licence_number=licence_number, licence_file=licence_file)  # fmt: skip
    if errors:
        raise PartnerInvalid(_("Check the highlighted fields."), fields=errors)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        licence_changed = licence_file is not None or licence_number.strip() != locked.licence_number
        locked.phone, locked.address = phone.strip(), address.strip()
        locked.latitude, locked.longitude = float(latitude), float(longitude)
        locked.services, locked.licence_number = sorted(set(services)), licence_number.strip()
        if licence_file is not None:
            locked.licence_file = licence_file
        if licence_changed:
            locked.licence_review_pending = True
            change = PartnerStateChange.objects.create(partner=locked, from_state=locked.state, to_state=locked.state,
                                                       reason=ChangeReason.LICENCE_CHANGED, at=clock.now())  # fmt: skip
            admins_notify(change)
        locked.save()
    return locked


def partner_hours_update(*, partner: Partner, days: list[str], open_24h: bool, note: str = "") -> Partner:
    """Set the weekly hours from seven typed days (Monday first); nothing is written unless
    every day reads as ranges that close after they open and do not overlap."""
    week, errors = week_parse([*days, *[""] * DAYS][:DAYS])
    if len(note or "") > 120:
        errors["hours_note"] = [_("At most 120 characters.")]
    if errors:
        raise PartnerInvalid(_("Check the highlighted days."), fields=errors)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        locked.weekly_hours, locked.open_24h, locked.hours_note = week, bool(open_24h), (note or "").strip()
        locked.save(update_fields=["weekly_hours", "open_24h", "hours_note"])
    return locked


def partner_licence_reviewed(*, partner: Partner, clock=default_clock) -> Partner:
    """The platform has checked the changed licence (console)."""
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if not locked.licence_review_pending:
            return locked
        locked.licence_review_pending = False
        locked.save(update_fields=["licence_review_pending"])
        PartnerStateChange.objects.create(partner=locked, from_state=locked.state, to_state=locked.state,
                                          reason=ChangeReason.LICENCE_REVIEWED, at=clock.now())  # fmt: skip
    return locked


def partner_booking_done(*, partner: Partner, booking_id: int, clock=default_clock) -> PartnerBooking:
    """The partner marks a booking sent to it as completed: the customer may rate it, and a
    redeemed entitlement is cleared (once; completing again changes nothing)."""
    with transaction.atomic():
        booking = PartnerBooking.objects.select_for_update().filter(pk=booking_id, partner=partner).first()
        if booking is None:
            raise PartnerBookingNotFound(_("No such booking."))
        return locked_booking_complete(booking, clock=clock)
