"""Reship requests: a missing or damaged item, with photos; the warehouse ships it again
within 48 hours (its promise is tracked like a dispatch).

An order's reship goes to the warehouse at once. A plan box's waits for the shop: the box is
part of a plan the customer pays monthly, so staff check the photos and approve (the parcel
goes out then) or refuse with an answer the customer reads."""
import uuid
from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, ReshipReason, ReshipStatus
from pawpact.storefront.errors import FulfilmentNotFound, ReshipRefused
from pawpact.storefront.models import Fulfilment, FulfilmentLine, ReshipItem, ReshipPhoto, ReshipRequest
from pawpact.storefront.services import fulfilment as parcels
from pawpact.storefront.services.photos import photos_check

RESHIP_WINDOW = timedelta(days=30)
MAX_PHOTOS, MAX_PHOTO_BYTES = 6, 8 * 1024 * 1024


def reship_request(*, customer: Customer, parcel_uuid, reason: str, note: str = "",
                   photos: list[UploadedFile] = (), items: dict[int, int] | None = None,
                   clock: Clock = default_clock) -> ReshipRequest:  # fmt: skip
    """Ask the warehouse to send a parcel's items again. Someone else's parcel is not found.

    `items`: {parcel line id: quantity} of what is missing or damaged; None sends the whole parcel."""
    original = Fulfilment.objects.filter(uuid=parcel_uuid, customer=customer).first()
    if original is None:
        raise FulfilmentNotFound(_("No such parcel."))
    if reason not in ReshipReason.values:
        raise ReshipRefused(_("Say whether an item is missing or damaged."), fields={"reason": [_("Choose one.")]})
    if original.status not in (FulfilmentStatus.DISPATCHED, FulfilmentStatus.DELIVERED) or original.kind == FulfilmentKind.RESHIP:
        raise ReshipRefused(_("Only a parcel that has been sent can be reshipped."))
    if (original.dispatched_at or original.created_at) < clock.now() - RESHIP_WINDOW:
        raise ReshipRefused(_("Reships are requested within 30 days of dispatch."))
    chosen = _items_checked(original, items)
    photos = photos_check(list(photos), max_count=MAX_PHOTOS, max_bytes=MAX_PHOTO_BYTES)
    if reason == ReshipReason.DAMAGED and not photos:
        raise ReshipRefused(_("Add a photo of the damage."), fields={"photos": [_("Required for damage.")]})
    if ReshipRequest.objects.filter(fulfilment=original).exists():
        raise ReshipRefused(_("This parcel has a reship already; contact the shop."))
    needs_decision = original.kind == FulfilmentKind.PLAN_BOX
    with transaction.atomic():
        request = ReshipRequest.objects.create(
            fulfilment=original, customer=customer, reason=reason, note=note[:2000], created_at=clock.now(),
            status=ReshipStatus.PENDING if needs_decision else ReshipStatus.APPROVED,
            reship=None if needs_decision else _reship_parcel(original, chosen, now=clock.now()),
        )  # fmt: skip
        ReshipItem.objects.bulk_create(ReshipItem(request=request, line=line, quantity=n) for line, n in chosen)
        for photo, extension in photos:
            # The customer's file name may carry personal details: stored under a random one.
            photo.name = f"{uuid.uuid4().hex}{extension}"
            ReshipPhoto.objects.create(request=request, image=photo)
        if request.reship is not None:
            parcels.fulfilment_queue(fulfilment=request.reship, now=clock.now())
    return request


def _items_checked(original: Fulfilment, items: dict[int, int] | None) -> list[tuple[FulfilmentLine, int]]:
    """[(line, quantity)] of the items asked for again, each one of the parcel's and at most
    as many as it held; a 4xx naming the field otherwise."""
    if items is None:
        return []
    lines = {line.pk: line for line in original.lines.all()}
    chosen, wrong = [], {}
    for line_id, quantity in items.items():
        line = lines.get(line_id)
        if line is None:
            wrong["items"] = [_("Choose items of this parcel.")]
        elif not isinstance(quantity, int) or not 0 <= quantity <= line.quantity:
            wrong[f"item_{line_id}"] = [_("0 to %(n)s.") % {"n": line.quantity}]
        elif quantity:
            chosen.append((line, quantity))
    if wrong:
        raise ReshipRefused(_("Check the items to send again."), fields=wrong)
    if not chosen:
        raise ReshipRefused(_("Choose what is missing or damaged."), fields={"items": [_("Choose at least one item.")]})
    return chosen


def _reship_parcel(original: Fulfilment, chosen: list[tuple[FulfilmentLine, int]], *, now: datetime) -> Fulfilment:
    reship = Fulfilment.objects.create(
        kind=FulfilmentKind.RESHIP, customer=original.customer, reship_of=original, warehouse_id=original.warehouse_id,
        status=FulfilmentStatus.HELD, ship_to=original.ship_to, created_at=now,
    )  # fmt: skip
    # The items asked for, or (none named) the whole parcel again.
    chosen = chosen or [(line, line.quantity) for line in original.lines.all()]
    FulfilmentLine.objects.bulk_create(
        FulfilmentLine(fulfilment=reship, warehouse_sku_id=line.warehouse_sku_id, sku=line.sku, name=line.name,
                       quantity=quantity, unit_cost_minor=line.unit_cost_minor)
        for line, quantity in chosen
    )  # fmt: skip
    return reship


def reship_decide(*, request_uuid, approve: bool, note: str = "", actor: User | None,
                  clock: Clock = default_clock) -> ReshipRequest:  # fmt: skip
    """Staff approve a plan box's reship (the parcel goes to the warehouse) or refuse it with an
    answer for the customer. A request decided already is refused, changing nothing."""
    note = (note or "").strip()[:255]
    if not approve and not note:
        raise ValidationFailed(_("Tell the customer why the reship is not accepted."),
                               fields={"note": [_("Required when refusing.")]})  # fmt: skip
    with transaction.atomic():
        request = ReshipRequest.objects.select_for_update(of=("self",)).select_related("fulfilment").filter(
            uuid=request_uuid).first()  # fmt: skip
        if request is None:
            raise FulfilmentNotFound(_("No such reship request."))
        if request.status != ReshipStatus.PENDING:
            raise ReshipRefused(_("This reship request has been decided already."))
        now = clock.now()
        request.status = ReshipStatus.APPROVED if approve else ReshipStatus.REFUSED
        request.decision_note, request.decided_by, request.decided_at = note, actor, now
        if approve:
            chosen = [(item.line, item.quantity) for item in request.items.select_related("line")]
            request.reship = _reship_parcel(request.fulfilment, chosen, now=now)
        request.save(update_fields=["status", "decision_note", "decided_by", "decided_at", "reship"])
        if approve:
            parcels.fulfilment_queue(fulfilment=request.reship, now=now)
    return request
