"""Thin entry points: sending parcels, applying the warehouse's callbacks, releasing held
boxes, resuming payments whose answer was lost, reconciling stock and lost callbacks.

Services import this module for `fulfilment_push_task` (sent on commit); this module
reaches the services through their modules, so the two may import each other.
"""
import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.core.tasks import public_task, tenant_task
from pawpact.storefront.enums import FulfilmentStatus, PaymentStatus
from pawpact.storefront.models import Fulfilment, OrderPayment
from pawpact.storefront.services import fulfilment as fulfilment_services
from pawpact.storefront.services import orders as order_services
from pawpact.storefront.services import demand, plan_boxes
from pawpact.storefront.services import refunds as refund_services
from pawpact.tenants.fan_out import fan_out_to_ready_shops
from pawpact.warehouses.enums import EventType
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses.models import Shipment, Warehouse, WarehouseEvent
from pawpact.warehouses.services import stock_reconcile
from pawpact.warehouses.stock import stock_apply

logger = logging.getLogger(__name__)
PUSH_BATCH = 200
POLL_AFTER = timedelta(hours=6)  # a parcel with no news this long is asked about


@tenant_task("storefront.fulfilment_push")
def fulfilment_push_task(fulfilment_id: int) -> None:
    fulfilment = Fulfilment.objects.filter(pk=fulfilment_id).first()
    if fulfilment is None or fulfilment.status != FulfilmentStatus.WAITING:
        return
    if plan_boxes.box_hold_if_needed(fulfilment=fulfilment):
        return
    fulfilment_services.fulfilment_push(fulfilment_id=fulfilment_id)


@tenant_task("storefront.order_refund")
def order_refund_task(refund_id: int) -> None:
    refund_services.refund_run(refund_id=refund_id)


@tenant_task("storefront.fulfilment_push_due")
def fulfilment_push_due_task() -> int:
    """Every waiting parcel whose next try is due (the warehouse was down, stock was short)."""
    due = Fulfilment.objects.filter(status=FulfilmentStatus.WAITING, next_push_at__lte=timezone.now())
    ids = list(due.order_by("next_push_at").values_list("pk", flat=True)[:PUSH_BATCH])
    for fulfilment_id in ids:
        fulfilment_push_task(fulfilment_id)
    return len(ids)


@tenant_task("storefront.shop_tick")
def shop_tick_task() -> None:
    """The storefront's minute: release held boxes, send what is due, resume lost payments
    and refunds, ask about parcels whose callbacks may have been lost."""
    plan_boxes.boxes_release()
    fulfilment_push_due_task()
    stale = OrderPayment.objects.filter(status=PaymentStatus.STARTED,
                                        started_at__lte=timezone.now() - order_services.IN_FLIGHT_LEASE)  # fmt: skip
    for payment in stale.select_related("order__payment_method")[:100]:
        order_services.order_pay(order=payment.order)
    refund_services.refunds_retry()
    quiet = Fulfilment.objects.filter(
        Q(status=FulfilmentStatus.SENT) | Q(status=FulfilmentStatus.DISPATCHED), sent_at__lte=timezone.now() - POLL_AFTER
    )  # fmt: skip
    for fulfilment in quiet[:50]:
        try:
            fulfilment_services.fulfilment_poll(fulfilment=fulfilment)
        except (WarehouseUnavailable, WarehouseRefused) as error:
            logger.warning("Could not ask the warehouse about %s: %s", fulfilment.uuid, error.message)


@public_task("storefront.dispatch")
def storefront_dispatch_task() -> int:
    return fan_out_to_ready_shops(shop_tick_task, expires=55)


@tenant_task("storefront.demand_compute")
def demand_compute_task() -> int:
    return demand.demand_compute()


@public_task("storefront.demand_dispatch")
def demand_dispatch_task() -> int:
    return fan_out_to_ready_shops(demand_compute_task, expires=2700)


@public_task("storefront.warehouse_events_process")
def warehouse_events_process_task() -> int:
    """Apply stored callbacks in the order received: stock to the shared table, parcel news
    in the shop the parcel belongs to (found by its reference)."""
    done = 0
    pending = WarehouseEvent.objects.filter(processed_at__isnull=True).order_by("id").values_list("pk", flat=True)
    for event_id in list(pending[:500]):
        with transaction.atomic():
            event = WarehouseEvent.objects.select_for_update(skip_locked=True).filter(pk=event_id, processed_at__isnull=True).first()
            if event is None:
                continue
            event_apply(event)
            event.processed_at = timezone.now()
            event.save(update_fields=["processed_at", "error"])
        done += 1
    return done


def event_apply(event: WarehouseEvent) -> None:
    if event.type == EventType.STOCK_CHANGED:
        stock_apply(warehouse_id=event.warehouse_id, items=event.payload.get("items") or [])
        return
    reference = _reference(event.payload.get("order_id"))
    shipment = None
    if reference is not None:
        shipment = Shipment.objects.select_related("shop").filter(reference=reference, warehouse_id=event.warehouse_id).first()
    if shipment is None:
        event.error = "unknown order_id"
        return
    with schema_context(shipment.shop.schema_name):
        fulfilment_services.tracking_apply(reference=shipment.reference, event_id=f"{event.warehouse_id}:{event.event_id}",
                                           event_type=event.type, data=event.payload)  # fmt: skip


def _reference(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@public_task("storefront.stock_reconcile")
def stock_reconcile_task() -> int:
    """Pull every linked warehouse's stock, for stock callbacks that were lost."""
    changed = 0
    for warehouse in Warehouse.objects.filter(links__isnull=False).distinct():
        try:
            changed += stock_reconcile(warehouse=warehouse)
        except (WarehouseUnavailable, WarehouseRefused) as error:
            logger.warning("Stock reconciliation with %s failed: %s", warehouse.code, error.message)
    return changed
