"""Reads about partner warehouses for the platform console: the list with SKU and shop
counts, the shops using one, its SLA record, its catalog imports."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from pawpact.warehouses.enums import ShipmentKind
from pawpact.warehouses.models import Shipment, Warehouse, WarehouseLink


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.annotate(
        sku_count=Count("skus", distinct=True), shop_count=Count("links", distinct=True)
    ).order_by("name")


def warehouse_shops(*, warehouse: Warehouse) -> QuerySet[WarehouseLink]:
    return WarehouseLink.objects.filter(warehouse=warehouse).select_related("shop").order_by("shop__name")


@dataclass(frozen=True)
class SlaLine:
    """Parcels of one kind: how many were sent, left on time, left late, are late and still open."""

    kind: str
    sent: int
    on_time: int
    late: int
    overdue_open: int

    @property
    def on_time_percent(self) -> int | None:
        """On time among the parcels whose promise is decided: left (on time or late) or already
        late while still open, which counts against the rate now rather than once it leaves.
        Rounded down, so a single miss never shows as 100%."""
        decided = self.on_time + self.late + self.overdue_open
        return 100 * self.on_time // decided if decided else None


def sla_record(*, warehouse: Warehouse, now: datetime) -> list[SlaLine]:
    """Dispatch within 24 h for orders and plan boxes, reship within 48 h (each parcel's due_at)."""
    open_q = Q(dispatched_at__isnull=True, cancelled_at__isnull=True)
    lines = []
    for label, kinds in (("dispatch", (ShipmentKind.ORDER, ShipmentKind.PLAN_BOX)), ("reship", (ShipmentKind.RESHIP,))):
        counts = Shipment.objects.filter(warehouse=warehouse, kind__in=kinds).aggregate(
            sent=Count("id"),
            on_time=Count("id", filter=Q(dispatched_at__lte=F("due_at"))),
            late=Count("id", filter=Q(dispatched_at__gt=F("due_at"))),
            overdue_open=Count("id", filter=open_q & Q(due_at__lt=now)),
        )
        lines.append(SlaLine(kind=label, **counts))
    return lines
