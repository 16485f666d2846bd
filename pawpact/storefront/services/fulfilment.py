"""Parcels and the warehouse: sending (through an outbox with retries), tracking, cancelling.

A fulfilment waits in the shop's table until it is accepted: each send uses its uuid as
the warehouse's order id, so however often a send is retried (the warehouse down, a
lost answer, two workers) the warehouse has it once. Callbacks are applied once per
event id, and states only move forward, so a late or repeated callback changes nothing.
"""
import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.core.clock import Clock, default_clock
from pawpact.storefront import tasks as storefront_tasks
from pawpact.storefront.enums import FULFILMENT_TRANSITIONS, FulfilmentKind, FulfilmentStatus
from pawpact.storefront.errors import IllegalFulfilmentMove
from pawpact.storefront.models import Fulfilment, TrackingEvent
from pawpact.storefront.parcel_reasons import OUT_OF_STOCK, WAREHOUSE_REFUSED, reason_of
from pawpact.storefront.photo_links import photo_links
from pawpact.storefront.services import refunds as refund_services
from pawpact.storefront.services.catalog import current_shop
from pawpact.warehouses.client import WarehouseClient
from pawpact.warehouses.enums import EventType
from pawpact.warehouses.errors import OutOfStock, WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses.models import Shipment, StockReservation, Warehouse
from pawpact.warehouses.stock import reservation_allocated, reservation_release, stock_reserve

logger = logging.getLogger(__name__)
BACKOFF = (30, 60, 120, 300)  # seconds; then every 5 minutes until it goes through
DISPATCH_HOURS, RESHIP_HOURS = 24, 48


def fulfilment_move(fulfilment: Fulfilment, target: FulfilmentStatus) -> None:
    if target not in FULFILMENT_TRANSITIONS[FulfilmentStatus(fulfilment.status)]:
        raise IllegalFulfilmentMove(
            _("A parcel that is %(status)s cannot become %(target)s.")
            % {"status": FulfilmentStatus(fulfilment.status).label, "target": target.label}
        )
    fulfilment.status = target


def fulfilment_queue(*, fulfilment: Fulfilment, now: datetime) -> None:
    """Ready to send: the push task goes once the caller's transaction commits."""
    fulfilment_move(fulfilment, FulfilmentStatus.WAITING)
    fulfilment.hold_reason, fulfilment.next_push_at = "", now
    fulfilment.save(update_fields=["status", "hold_reason", "next_push_at"])
    schema_name, fulfilment_id = connection.schema_name, fulfilment.pk

    def push_on_commit():
        # Sent from the shop's schema, wherever the connection is when the commit happens.
        with schema_context(schema_name):
            storefront_tasks.fulfilment_push_task.delay(fulfilment_id)

    transaction.on_commit(push_on_commit, robust=True)


def _payload(fulfilment: Fulfilment) -> dict:
    lines = [{"sku": line.sku, "quantity": line.quantity} for line in fulfilment.lines.all()]
    if fulfilment.kind == FulfilmentKind.RESHIP:
        request = fulfilment.reship_request
        photos = photo_links(host=current_shop().get_primary_domain().domain, request_uuid=request.uuid,
                             photo_ids=[photo.pk for photo in request.photos.order_by("pk")],
                             created_at=fulfilment.created_at)  # fmt: skip
        return {"reship_id": str(fulfilment.uuid), "reason": request.reason, "note": request.note,
                "photos": photos, "lines": lines}  # fmt: skip
    shop = current_shop()
    return {"order_id": str(fulfilment.uuid), "kind": fulfilment.kind, "merchant": {"id": shop.slug, "name": shop.name},
            "ship_to": fulfilment.ship_to, "lines": lines}  # fmt: skip


def fulfilment_push(*, fulfilment_id: int, clock: Clock = default_clock) -> Fulfilment:
    """Send one waiting parcel to the warehouse. Call outside a transaction."""
    fulfilment = Fulfilment.objects.select_related("reship_of").get(pk=fulfilment_id)
    if fulfilment.status != FulfilmentStatus.WAITING:
        return fulfilment
    if fulfilment.kind != FulfilmentKind.ORDER and not _reserve(fulfilment, clock=clock):
        return fulfilment
    warehouse = Warehouse.objects.get(pk=fulfilment.warehouse_id)
    client = WarehouseClient.for_warehouse(warehouse)
    try:
        if fulfilment.kind == FulfilmentKind.RESHIP:
            answer = client.call("POST", f"/v1/orders/{fulfilment.reship_of.uuid}/reships", payload=_payload(fulfilment))
        else:
            answer = client.call("POST", "/v1/orders", payload=_payload(fulfilment))
    except WarehouseUnavailable as error:
        return _retry_later(fulfilment, error.message, reason=reason_of(error), clock=clock)
    except WarehouseRefused as refused:
        if refused.remote_code == "out_of_stock":
            return _retry_later(fulfilment, refused.message, reason=(OUT_OF_STOCK, {}), clock=clock)
        Fulfilment.objects.filter(pk=fulfilment.pk).update(
            last_error=refused.message[:255], next_push_at=None, last_reason=WAREHOUSE_REFUSED,
            last_reason_params={"message": refused.message[:200]})  # fmt: skip
        logger.error("Warehouse refused parcel %s: %s", fulfilment.uuid, refused.message)
        return fulfilment
    return _accepted(fulfilment_id=fulfilment.pk, warehouse=warehouse, answer=answer, clock=clock)


def _reserve(fulfilment: Fulfilment, *, clock: Clock) -> bool:
    """Boxes and reships reserve their stock just before they are sent, like a checkout."""
    if StockReservation.objects.filter(reference=fulfilment.uuid).exists():
        return True
    try:
        stock_reserve(shop_id=current_shop().pk, reference=fulfilment.uuid,
                      lines=[(line.warehouse_sku_id, line.quantity) for line in fulfilment.lines.all()])  # fmt: skip
    except OutOfStock as error:
        _retry_later(fulfilment, error.message, reason=(OUT_OF_STOCK, {}), clock=clock)
        return False
    return True


def _retry_later(fulfilment: Fulfilment, text: str, *, reason: tuple[str, dict], clock: Clock) -> Fulfilment:
    attempts = fulfilment.push_attempts + 1
    delay = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    Fulfilment.objects.filter(pk=fulfilment.pk, status=FulfilmentStatus.WAITING).update(
        push_attempts=attempts, next_push_at=clock.now() + timedelta(seconds=delay), last_error=text[:255],
        last_reason=reason[0], last_reason_params=reason[1],
    )
    fulfilment.refresh_from_db()
    return fulfilment


def _accepted(*, fulfilment_id: int, warehouse: Warehouse, answer: dict, clock: Clock) -> Fulfilment:
    now = clock.now()
    with transaction.atomic():
        fulfilment = Fulfilment.objects.select_for_update(of=("self",)).get(pk=fulfilment_id)
        if fulfilment.status == FulfilmentStatus.CANCELLED:
            transaction.on_commit(lambda: _recall(warehouse, fulfilment.uuid), robust=True)
        if fulfilment.status != FulfilmentStatus.WAITING:
            return fulfilment
        fulfilment_move(fulfilment, FulfilmentStatus.SENT)
        hours = RESHIP_HOURS if fulfilment.kind == FulfilmentKind.RESHIP else DISPATCH_HOURS
        fulfilment.sent_at, fulfilment.due_at = now, now + timedelta(hours=hours)
        fulfilment.push_attempts, fulfilment.next_push_at, fulfilment.last_error = fulfilment.push_attempts + 1, None, ""
        fulfilment.last_reason, fulfilment.last_reason_params = "", {}
        fulfilment.save(update_fields=["status", "sent_at", "due_at", "push_attempts", "next_push_at", "last_error",
                                       "last_reason", "last_reason_params"])  # fmt: skip
        by_code = {line.sku: line.warehouse_sku_id for line in fulfilment.lines.all()}
        versions = {by_code[line["sku"]]: int(line["stock_version"]) for line in answer.get("lines") or []
                    if line.get("sku") in by_code and line.get("stock_version") is not None}  # fmt: skip
        reservation_allocated(reference=fulfilment.uuid, versions=versions)
        Shipment.objects.get_or_create(reference=fulfilment.uuid, defaults={
            "warehouse": warehouse, "shop_id": current_shop().pk, "kind": fulfilment.kind,
            "label": fulfilment.order.number if fulfilment.order_id else "",
            "sent_at": now, "due_at": fulfilment.due_at})  # fmt: skip
        if fulfilment.cost_minor and fulfilment.kind != FulfilmentKind.RESHIP:
            journal_post(key=f"{JournalKind.FULFILMENT_COST}:{fulfilment.uuid}", kind=JournalKind.FULFILMENT_COST, currency="CNY",
                         lines=[Line(LedgerAccount.COST_OF_GOODS, fulfilment.cost_minor),
                                Line(LedgerAccount.WAREHOUSE_PAYABLE, -fulfilment.cost_minor)])  # fmt: skip
    return fulfilment


def _recall(warehouse: Warehouse, reference) -> None:
    """The parcel was cancelled while its send was under way: the warehouse must not ship it."""
    try:
        WarehouseClient.for_warehouse(warehouse).call("POST", f"/v1/orders/{reference}/cancel", payload={"reason": "cancelled"})
    except (WarehouseRefused, WarehouseUnavailable) as error:
        logger.error("Could not recall cancelled parcel %s from the warehouse: %s", reference, error.message)


STATUS_OF_EVENT = {
    EventType.SHIPMENT_DISPATCHED: FulfilmentStatus.DISPATCHED,
    EventType.SHIPMENT_DELIVERED: FulfilmentStatus.DELIVERED,
    EventType.ORDER_CANCELLED: FulfilmentStatus.CANCELLED,
}
RANK = {FulfilmentStatus.SENT: 0, FulfilmentStatus.DISPATCHED: 1, FulfilmentStatus.DELIVERED: 2}


def tracking_apply(*, reference, event_id: str, event_type: str, data: dict, clock: Clock = default_clock) -> bool:
    """Apply one warehouse event about a parcel; False when it changes nothing (seen, late, unknown)."""
    at = parse_datetime(str(data.get("delivered_at") or data.get("dispatched_at") or "")) or clock.now()
    target = STATUS_OF_EVENT[event_type]
    with transaction.atomic():
        fulfilment = Fulfilment.objects.select_for_update(of=("self",)).filter(uuid=reference).first()
        if fulfilment is None or TrackingEvent.objects.filter(event_id=event_id).exists():
            return False
        TrackingEvent.objects.create(fulfilment=fulfilment, event_id=event_id, status=target, at=at,
                                     carrier=str(data.get("carrier") or "")[:40],
                                     tracking_number=str(data.get("tracking_number") or "")[:64])  # fmt: skip
        if target == FulfilmentStatus.CANCELLED:
            return _cancelled_by_warehouse(fulfilment, now=clock.now())
        current = FulfilmentStatus(fulfilment.status)
        if current not in RANK or RANK[target] <= RANK[current]:
            return False  # late or repeated: states only move forward
        fulfilment.status = target
        fulfilment.carrier = fulfilment.carrier or str(data.get("carrier") or "")[:40]
        fulfilment.tracking_number = fulfilment.tracking_number or str(data.get("tracking_number") or "")[:64]
        if target == FulfilmentStatus.DISPATCHED:
            fulfilment.dispatched_at = at
        else:
            fulfilment.delivered_at = at
        fulfilment.save(update_fields=["status", "carrier", "tracking_number", "dispatched_at", "delivered_at"])
        Shipment.objects.filter(reference=fulfilment.uuid).update(
            dispatched_at=fulfilment.dispatched_at or at, delivered_at=fulfilment.delivered_at
        )
    return True


def _cancelled_by_warehouse(fulfilment: Fulfilment, *, now) -> bool:
    if fulfilment.status not in (FulfilmentStatus.SENT, FulfilmentStatus.WAITING):
        return False
    parcel_cancel(fulfilment, now=now)
    if fulfilment.kind == FulfilmentKind.ORDER:
        refund_services.order_cancelled_by_warehouse(parcel=fulfilment, now=now)
    return True


def parcel_cancel(parcel: Fulfilment, *, now: datetime) -> None:
    """The parcel will not ship: stock released, its booked cost reversed. In the caller's transaction."""
    was_sent = parcel.status == FulfilmentStatus.SENT
    fulfilment_move(parcel, FulfilmentStatus.CANCELLED)
    parcel.cancelled_at = now
    parcel.save(update_fields=["status", "cancelled_at"])
    reservation_release(reference=parcel.uuid)
    Shipment.objects.filter(reference=parcel.uuid).update(cancelled_at=now)
    if was_sent and parcel.cost_minor:
        journal_post(key=f"{JournalKind.FULFILMENT_COST_REVERSED}:{parcel.uuid}", kind=JournalKind.FULFILMENT_COST_REVERSED,
                     lines=[Line(LedgerAccount.WAREHOUSE_PAYABLE, parcel.cost_minor),
                            Line(LedgerAccount.COST_OF_GOODS, -parcel.cost_minor)])  # fmt: skip


def fulfilment_poll(*, fulfilment: Fulfilment, clock: Clock = default_clock) -> bool:
    """Ask the warehouse about a parcel whose callbacks may have been lost, and apply what it says."""
    client = WarehouseClient.for_warehouse(Warehouse.objects.get(pk=fulfilment.warehouse_id))
    answer = client.call("GET", f"/v1/orders/{fulfilment.uuid}")
    changed = False
    for shipment in answer.get("shipments") or []:
        for event_type, field in ((EventType.SHIPMENT_DISPATCHED, "dispatched_at"), (EventType.SHIPMENT_DELIVERED, "delivered_at")):
            if shipment.get(field):
                changed |= tracking_apply(reference=fulfilment.uuid, event_id=f"poll:{shipment['shipment_id']}:{field}",
                                          event_type=event_type, data=shipment, clock=clock)  # fmt: skip
    return changed
