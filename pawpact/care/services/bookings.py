"""Booking, rescheduling, cancelling and closing appointments.

Rules a customer meets: the pet must be theirs, the time in the future (at most
`BOOKING_HORIZON_DAYS` ahead) and inside the resource's working hours on a working day;
changes and cancellations close `CHANGE_CUTOFF` before the start (staff may still act).
The database refuses a second booking of a resource at an overlapping time
(care_booking_no_double_booking), so two customers racing for one slot get one booking
and one `slot_unavailable`.

Price: the first benefit source that covers the booking (pawpact.care.benefits) makes
nothing due; otherwise the price is paid at the counter when the service is completed,
posted as one balanced journal keyed by the booking.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.care.benefits import BenefitClaim, BenefitRequest, benefit_claim, benefit_release
from pawpact.care.enums import BookingStatus, PaymentStatus
from pawpact.care.errors import BookingChangeClosed, BookingInvalid, BookingStateInvalid, SlotUnavailable
from pawpact.care.models import Booking, Resource, ServiceType
from pawpact.care.selectors import slot_is_offered
from pawpact.care.services.notices import booking_notice_send
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer, Pet

CHANGE_CUTOFF = timedelta(hours=2)
BOOKING_HORIZON_DAYS = 90
CONSTRAINT = "care_booking_no_double_booking"


def _times_check(*, service: ServiceType, resource: Resource, starts_at: datetime, now: datetime) -> datetime:
    """The end of a valid appointment; raises BookingInvalid naming the field otherwise."""
    if starts_at.tzinfo is None:
        raise BookingInvalid(_("Give the time with its time zone."), fields={"starts_at": [_("Time zone missing.")]})
    if starts_at <= now:
        raise BookingInvalid(_("That time has passed."), fields={"starts_at": [_("Choose a time in the future.")]})
    if starts_at > now + timedelta(days=BOOKING_HORIZON_DAYS):
        message = _("Bookings open %(days)s days ahead.") % {"days": BOOKING_HORIZON_DAYS}
        raise BookingInvalid(message, fields={"starts_at": [message]})
    if not service.is_active or not resource.is_active or not resource.services.filter(pk=service.pk).exists():
        message = _("This service is not offered by %(resource)s.") % {"resource": resource.name}
        raise BookingInvalid(message, fields={"resource": [message]})
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    if not slot_is_offered(resource=resource, starts_at=starts_at, ends_at=ends_at):
        message = _("%(resource)s does not work at that time.") % {"resource": resource.name}
        raise BookingInvalid(message, fields={"starts_at": [_("Outside working hours or on a day off.")]})
    return ends_at


def _pet_check(*, customer: Customer, pet: Pet) -> None:
    if pet.owner_id != customer.pk:
        raise BookingInvalid(_("Book only for your own pet."), fields={"pet": [_("Unknown pet.")]})


def _benefit_fields(claim: BenefitClaim, price_minor: int) -> dict:
    due = price_minor - claim.covered_minor
    return {
        "benefit_source": claim.source,
        "benefit_reference": claim.reference,
        "contract": claim.contract,
        "period": claim.period,
        "price_minor": price_minor,
        "amount_due_minor": due,
        "payment_status": PaymentStatus.DUE if due > 0 else PaymentStatus.NOT_DUE,
    }


def _save_or_conflict(booking: Booking, **kwargs) -> None:
    try:
        with transaction.atomic():
            booking.save(**kwargs)
    except IntegrityError as error:
        if CONSTRAINT in str(error):
            # One sentence for page and API alike: pages join message and field details.
            message = _("That time was just taken. Choose another slot.")
            raise SlotUnavailable(message, fields={"starts_at": [message]}) from error
        raise


@transaction.atomic
def booking_create(
    *,
    customer: Customer,
    pet: Pet,
    service: ServiceType,
    resource: Resource,
    starts_at: datetime,
    note: str = "",
    created_by=None,
    clock: Clock = default_clock,
) -> Booking:
    """Book `service` with `resource` at `starts_at` for the customer's pet."""
    _pet_check(customer=customer, pet=pet)
    ends_at = _times_check(service=service, resource=resource, starts_at=starts_at, now=clock.now())
    claim = benefit_claim(
        request=BenefitRequest(
            customer=customer, pet=pet, service_kind=service.kind, price_minor=service.price_minor, starts_at=starts_at
        )
    )
    booking = Booking(
        customer=customer,
        pet=pet,
        service=service,
        resource=resource,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        created_by=created_by,
        created_at=clock.now(),
        **_benefit_fields(claim, service.price_minor),
    )
    _save_or_conflict(booking)
    booking_notice_send(booking=booking, fact="booked")
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("service", "resource", "customer", "pet").get(pk=booking.pk)


def _change_check(booking: Booking, *, by_staff: bool, now: datetime) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise BookingStateInvalid(_("Only a booked appointment can be changed."))
    if not by_staff and booking.starts_at - now < CHANGE_CUTOFF:
        hours = int(CHANGE_CUTOFF.total_seconds() // 3600)
        raise BookingChangeClosed(
            _("Changes close %(hours)s hours before the appointment; please call the shop.") % {"hours": hours}
        )


@transaction.atomic
def booking_reschedule(
    *,
    booking: Booking,
    starts_at: datetime,
    resource: Resource | None = None,
    by_staff: bool = False,
    clock: Clock = default_clock,
) -> Booking:
    """Move a booked appointment; its benefit is claimed again for the new time (another period may apply)."""
    booking = _locked(booking)
    now = clock.now()
    _change_check(booking, by_staff=by_staff, now=now)
    resource = resource or booking.resource
    ends_at = _times_check(service=booking.service, resource=resource, starts_at=starts_at, now=now)
    benefit_release(booking=booking)
    claim = benefit_claim(
        request=BenefitRequest(
            customer=booking.customer,
            pet=booking.pet,
            service_kind=booking.service.kind,
            price_minor=booking.price_minor,
            starts_at=starts_at,
            booking_id=booking.pk,
        )
    )
    for name, value in _benefit_fields(claim, booking.price_minor).items():
        setattr(booking, name, value)
    booking.resource, booking.starts_at, booking.ends_at, booking.reminded_at = resource, starts_at, ends_at, None
    _save_or_conflict(booking)
    booking_notice_send(booking=booking, fact="moved")
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by_staff: bool = False, clock: Clock = default_clock) -> Booking:
    """Cancel a booked appointment; the slot is free again and a plan entitlement unit is given back."""
    booking = _locked(booking)
    now = clock.now()
    _change_check(booking, by_staff=by_staff, now=now)
    benefit_release(booking=booking)
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    if booking.payment_status == PaymentStatus.DUE:
        booking.payment_status = PaymentStatus.NOT_DUE
        booking.amount_due_minor = 0
    booking.save(update_fields=["status", "cancelled_at", "payment_status", "amount_due_minor"])
    booking_notice_send(booking=booking, fact="cancelled")
    return booking


@transaction.atomic
def booking_complete(*, booking: Booking, collected: bool, clock: Clock = default_clock) -> Booking:
    """Close an appointment as served. What is due must be collected at the counter now: one journal."""
    booking = _locked(booking)
    if booking.status != BookingStatus.BOOKED:
        raise BookingStateInvalid(_("Only a booked appointment can be completed."))
    now = clock.now()
    if booking.starts_at > now:
        raise BookingStateInvalid(_("The appointment has not started yet."))
    if booking.amount_due_minor > 0:
        if not collected:
            message = _("Collect %(amount)s before completing.") % {"amount": yuan(booking.amount_due_minor)}
            raise BookingInvalid(message, fields={"collected": [message]})
        journal_post(
            key=f"care.booking.paid:{booking.uuid}",
            kind="care_service_paid",
            memo=f"{booking.service.name} {booking.starts_at:%Y-%m-%d %H:%M}",
            lines=[
                Line(LedgerAccount.STORE_CASH, booking.amount_due_minor),
                Line(LedgerAccount.SERVICE_REVENUE, -booking.amount_due_minor),
            ],
        )
        booking.payment_status = PaymentStatus.PAID
    booking.status, booking.completed_at = BookingStatus.COMPLETED, now
    booking.save(update_fields=["status", "completed_at", "payment_status"])
    return booking


@transaction.atomic
def booking_no_show(*, booking: Booking, clock: Clock = default_clock) -> Booking:
    """Record that the pet did not come. A plan entitlement unit stays used; nothing is charged."""
    booking = _locked(booking)
    if booking.status != BookingStatus.BOOKED:
        raise BookingStateInvalid(_("Only a booked appointment can be a no-show."))
    if booking.starts_at > clock.now():
        raise BookingStateInvalid(_("The appointment has not started yet."))
    booking.status = BookingStatus.NO_SHOW
    if booking.payment_status == PaymentStatus.DUE:
        booking.payment_status, booking.amount_due_minor = PaymentStatus.NOT_DUE, 0
    booking.save(update_fields=["status", "payment_status", "amount_due_minor"])
    return booking


def yuan(amount_minor: int) -> str:
    return f"¥{amount_minor // 100}.{amount_minor % 100:02d}"
