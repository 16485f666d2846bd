"""A test-mode shop may pretend time has passed for one parcel at the warehouse, so a trial or
a demo can see a broken dispatch promise without waiting 24 real hours. The parcel's send and
promise times (and the warehouse's SLA record of it) move back; nothing else changes, and a
live shop cannot do it."""
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.errors import TestClockRefused
from pawpact.storefront.models import Fulfilment
from pawpact.tenants.modes import current_livemode
from pawpact.warehouses.models import Shipment

AGE_STEP = timedelta(hours=24)


def parcel_age_for_test(*, parcel_uuid, step: timedelta = AGE_STEP) -> Fulfilment:
    """Move a parcel at the warehouse `step` into the past (sent and promised earlier)."""
    if current_livemode():
        raise TestClockRefused(_("Only a shop in test mode can move a parcel's time."))
    with transaction.atomic():
        parcel = Fulfilment.objects.select_for_update().filter(uuid=parcel_uuid).first()
        if parcel is None or parcel.status != FulfilmentStatus.SENT or parcel.due_at is None:
            raise TestClockRefused(_("Only a parcel waiting at the warehouse can be moved in time."))
        parcel.sent_at, parcel.due_at = parcel.sent_at - step, parcel.due_at - step
        parcel.save(update_fields=["sent_at", "due_at"])
        shipment = Shipment.objects.select_for_update().filter(reference=parcel.uuid).first()
        if shipment is not None:
            shipment.sent_at, shipment.due_at = shipment.sent_at - step, shipment.due_at - step
            shipment.save(update_fields=["sent_at", "due_at"])
    return parcel
