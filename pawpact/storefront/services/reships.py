"""Reship requests: a missing or damaged item, with photos; the warehouse ships it again
within 48 hours (its promise is tracked like a dispatch)."""
import uuid
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, ReshipReason
from pawpact.storefront.errors import FulfilmentNotFound, ReshipRefused
from pawpact.storefront.models import Fulfilment, FulfilmentLine, ReshipPhoto, ReshipRequest
from pawpact.storefront.services import fulfilment as parcels
from pawpact.storefront.services.photos import photos_check

RESHIP_WINDOW = timedelta(days=30)
MAX_PHOTOS, MAX_PHOTO_BYTES = 6, 8 * 1024 * 1024


def reship_request(*, customer: Customer, parcel_uuid, reason: str, note: str = "",
                   photos: list[UploadedFile] = (), clock: Clock = default_clock) -> ReshipRequest:  # fmt: skip
    """Ask the warehouse to send a parcel's items again. Someone else's parcel is not found."""
    original = Fulfilment.objects.filter(uuid=parcel_uuid, customer=customer).first()
    if original is None:
        raise FulfilmentNotFound(_("No such parcel."))
    if reason not in ReshipReason.values:
        raise ReshipRefused(_("Say whether an item is missing or damaged."), fields={"reason": [_("Choose one.")]})
    if original.status not in (FulfilmentStatus.DISPATCHED, FulfilmentStatus.DELIVERED) or original.kind == FulfilmentKind.RESHIP:
        raise ReshipRefused(_("Only a parcel that has been sent can be reshipped."))
    if (original.dispatched_at or original.created_at) < clock.now() - RESHIP_WINDOW:
        raise ReshipRefused(_("Reships are requested within 30 days of dispatch."))
    photos = photos_check(list(photos), max_count=MAX_PHOTOS, max_bytes=MAX_PHOTO_BYTES)
    if reason == ReshipReason.DAMAGED and not photos:
        raise ReshipRefused(_("Add a photo of the damage."), fields={"photos": [_("Required for damage.")]})
    if ReshipRequest.objects.filter(fulfilment=original).exists():
        raise ReshipRefused(_("This parcel has a reship already; contact the shop."))
    with transaction.atomic():
        reship = Fulfilment.objects.create(
            kind=FulfilmentKind.RESHIP, customer=customer, reship_of=original, warehouse_id=original.warehouse_id,
            status=FulfilmentStatus.HELD, ship_to=original.ship_to, created_at=clock.now(),
        )  # fmt: skip
        FulfilmentLine.objects.bulk_create(
            FulfilmentLine(fulfilment=reship, warehouse_sku_id=line.warehouse_sku_id, sku=line.sku, name=line.name,
                           quantity=line.quantity, unit_cost_minor=line.unit_cost_minor)
            for line in original.lines.all()
        )  # fmt: skip
        request = ReshipRequest.objects.create(fulfilment=original, customer=customer, reason=reason,
                                               note=note[:2000], reship=reship, created_at=clock.now())  # fmt: skip
        for photo, extension in photos:
            # The customer's file name may carry personal details: stored under a random one.
            photo.name = f"{uuid.uuid4().hex}{extension}"
            ReshipPhoto.objects.create(request=request, image=photo)
        parcels.fulfilment_queue(fulfilment=reship, now=clock.now())
    return request
