"""Complaints: filed by a customer, answered and resolved by staff against two clocks,
confirmed or reopened by the customer.

Clocks run from the (re)opening: a first response within 24 hours, a resolution within
48. `complaint_breaches_record` (run every quarter hour) records each missed clock once
and tells the shop owner; the workspace lists them. Opening and resolving are facts the
platform counts (complaint.opened / complaint.resolved through the outbox), so a
reopening is not a second complaint.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from pawpact.billing.models import Contract
from pawpact.care.enums import BookingStatus, ComplaintCategory, ComplaintClock, ComplaintStatus
from pawpact.care.errors import ComplaintInvalid, ComplaintStateInvalid
from pawpact.care.models import Booking, Complaint, ComplaintBreach, ComplaintEntry, ComplaintPhoto
from pawpact.care.services.notices import complaint_notice_send
from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import EventKind
from pawpact.customers.models import Customer
from pawpact.outbox.services import outbox_emit
from pawpact.storefront.models import Order
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import current_livemode

RESPONSE_WITHIN = timedelta(hours=24)
RESOLUTION_WITHIN = timedelta(hours=48)
MAX_PHOTOS, MAX_PHOTO_BYTES = 6, 8 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")
OPEN_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.RESPONDED)


def _own(model, uuid, customer: Customer, field: str, errors: dict):
    """The customer's own record `uuid` of `model`; someone else's or an unknown one is an error."""
    if uuid is None:
        return None
    found = model.objects.filter(uuid=uuid, customer=customer).first()
    if found is None:
        errors[field] = [_("Choose one of your own.")]
    return found


def _photos_errors(photos: Sequence) -> list[str]:
    if len(photos) > MAX_PHOTOS:
        return [_("At most %(n)s photos.") % {"n": MAX_PHOTOS}]
    if any(photo.size > MAX_PHOTO_BYTES or getattr(photo, "content_type", "") not in PHOTO_TYPES for photo in photos):
        return [_("Photos must be JPEG, PNG, WebP or HEIC images of at most 8 MB.")]
    return []


@transaction.atomic
def complaint_file(
    *,
    customer: Customer,
    category: str,
    text: str,
    booking_uuid=None,
    contract_uuid=None,
    order_uuid=None,
    photos: Sequence = (),
    clock: Clock = default_clock,
) -> Complaint:
    """Open a complaint; links must be the customer's own booking, contract or order."""
    errors: dict[str, list[str]] = {}
    if category not in ComplaintCategory.values:
        errors["category"] = [_("Choose a category.")]
    if len(text.strip()) < 10:
        errors["text"] = [_("Tell us what happened (at least 10 characters).")]
    booking = _own(Booking, booking_uuid, customer, "booking_uuid", errors)
    if booking is not None and booking.status == BookingStatus.CANCELLED and booking.starts_at > clock.now():
        # Nothing happened at a visit that was called off and has not come: nothing to look into.
        errors["booking_uuid"] = [_("This booking was cancelled and has not taken place. Link the visit the complaint is about.")]
    contract = _own(Contract, contract_uuid, customer, "contract_uuid", errors)
    order = _own(Order, order_uuid, customer, "order_uuid", errors)
    photo_errors = _photos_errors(photos)
    if photo_errors:
        errors["photos"] = photo_errors
    if errors:
        raise ComplaintInvalid(_("Check the complaint."), fields=errors)
    now = clock.now()
    complaint = Complaint.objects.create(
        customer=customer, category=category, text=text.strip(), booking=booking, contract=contract, order=order,
        livemode=current_livemode(), opened_at=now, respond_by=now + RESPONSE_WITHIN, resolve_by=now + RESOLUTION_WITHIN,
    )  # fmt: skip
    ComplaintEntry.objects.create(complaint=complaint, text=complaint.text, created_at=now)
    for photo in photos:
        ComplaintPhoto.objects.create(complaint=complaint, image=photo)
    _emit(complaint, EventKind.COMPLAINT_OPENED, now)
    return complaint


def _emit(complaint: Complaint, kind: str, at) -> None:
    outbox_emit(
        kind=kind,
        aggregate_uuid=complaint.uuid,
        payload={"complaint_uuid": str(complaint.uuid), "at": at.isoformat()},
        livemode=complaint.livemode,
    )


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("customer").get(pk=complaint.pk)


def _text_check(text: str) -> str:
    if not text.strip():
        raise ComplaintInvalid(_("Write a reply."), fields={"text": [_("Write a reply.")]})
    return text.strip()


@transaction.atomic
def complaint_respond(*, complaint: Complaint, author, text: str, clock: Clock = default_clock) -> Complaint:
    """Staff answer; the first answer after an (re)opening stops the response clock."""
    text = _text_check(text)
    complaint = _locked(complaint)
    if complaint.status not in OPEN_STATUSES:
        raise ComplaintStateInvalid(_("Only an open complaint can be answered."))
    now = clock.now()
    entry = ComplaintEntry.objects.create(complaint=complaint, by_staff=True, author=author, text=text, created_at=now)
    if complaint.status == ComplaintStatus.OPEN:
        complaint.status, complaint.responded_at = ComplaintStatus.RESPONDED, now
        complaint.save(update_fields=["status", "responded_at"])
    complaint_notice_send(complaint=complaint, entry=entry, resolved=False)
    return complaint


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, author, text: str, clock: Clock = default_clock) -> Complaint:
    """Staff say how it was resolved; the customer then confirms or reopens."""
    text = _text_check(text)
    complaint = _locked(complaint)
    if complaint.status not in OPEN_STATUSES:
        raise ComplaintStateInvalid(_("Only an open complaint can be resolved."))
    now = clock.now()
    entry = ComplaintEntry.objects.create(complaint=complaint, by_staff=True, author=author, text=text, created_at=now)
    complaint.status, complaint.resolved_at = ComplaintStatus.RESOLVED, now
    complaint.responded_at = complaint.responded_at or now
    complaint.save(update_fields=["status", "resolved_at", "responded_at"])
    _emit(complaint, EventKind.COMPLAINT_RESOLVED, now)
    complaint_notice_send(complaint=complaint, entry=entry, resolved=True)
    return complaint


@transaction.atomic
def complaint_confirm(*, complaint: Complaint, clock: Clock = default_clock) -> Complaint:
    complaint = _locked(complaint)
    if complaint.status != ComplaintStatus.RESOLVED:
        raise ComplaintStateInvalid(_("Only a resolved complaint can be confirmed."))
    complaint.status, complaint.closed_at = ComplaintStatus.CLOSED, clock.now()
    complaint.save(update_fields=["status", "closed_at"])
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, text: str, clock: Clock = default_clock) -> Complaint:
    """The customer is not satisfied: the complaint is open again with fresh clocks."""
    text = _text_check(text)
    complaint = _locked(complaint)
    if complaint.status != ComplaintStatus.RESOLVED:
        raise ComplaintStateInvalid(_("Only a resolved complaint can be reopened."))
    now = clock.now()
    ComplaintEntry.objects.create(complaint=complaint, text=text, created_at=now)
    complaint.status, complaint.resolved_at, complaint.responded_at = ComplaintStatus.OPEN, None, None
    complaint.respond_by, complaint.resolve_by = now + RESPONSE_WITHIN, now + RESOLUTION_WITHIN
    complaint.reopened_count += 1
    complaint.save(update_fields=["status", "resolved_at", "responded_at", "respond_by", "resolve_by", "reopened_count"])
    return complaint


def complaint_breaches_record(*, clock: Clock = default_clock) -> list[ComplaintBreach]:
    """Record every clock missed since the last run, once, and e-mail the owner the new ones."""
    now = clock.now()
    missed = Complaint.objects.filter(
        Q(status=ComplaintStatus.OPEN, respond_by__lt=now) | Q(status__in=OPEN_STATUSES, resolve_by__lt=now)
    ).select_related("customer")
    new: list[ComplaintBreach] = []
    for complaint in missed:
        clocks = [(ComplaintClock.RESOLUTION, complaint.resolve_by)] if complaint.resolve_by < now else []
        if complaint.status == ComplaintStatus.OPEN and complaint.respond_by < now:
            clocks.insert(0, (ComplaintClock.RESPONSE, complaint.respond_by))
        for which, due_at in clocks:
            try:
                with transaction.atomic():
                    new.append(ComplaintBreach.objects.create(complaint=complaint, clock=which, due_at=due_at, noticed_at=now))
            except IntegrityError:
                continue  # recorded by an earlier run
            field = "response_breached_at" if which == ComplaintClock.RESPONSE else "resolution_breached_at"
            Complaint.objects.filter(pk=complaint.pk, **{f"{field}__isnull": True}).update(**{field: now})
    if new:
        _owner_tell(new)
    return new


def _owner_tell(breaches: list[ComplaintBreach]) -> None:
    schema = connection.schema_name
    # The owner is a platform user: read in public, where Shop.owner points.
    with schema_context(get_public_schema_name()):
        owner_email = Shop.objects.select_related("owner").get(schema_name=schema).owner.email
    lines = [
        f"{breach.complaint.customer.name}: {breach.get_clock_display()} ({breach.due_at:%Y-%m-%d %H:%M} UTC)"
        for breach in breaches
    ]
    send_mail(
        subject=_("%(n)s complaint deadline(s) missed") % {"n": len(breaches)},
        message="\n".join(lines),
        from_email=None,
        recipient_list=[owner_email],
        fail_silently=True,
    )
