"""Committed demand per warehouse: the shops' forecast rows summed per SKU and month, for
the platform console and for the warehouse (PUT /v1/forecast, so it can stock ahead)."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from pawpact.warehouses.client import WarehouseClient
from pawpact.warehouses.models import Forecast, Warehouse


@dataclass(frozen=True)
class DemandRow:
    sku: str
    name: str
    by_month: list[int]  # in the order of `months`

    @property
    def total(self) -> int:
        return sum(self.by_month)


def committed_demand(*, warehouse: Warehouse) -> tuple[list[date], list[DemandRow]]:
    """The months that have demand and one row per SKU (largest total first)."""
    rows = (Forecast.objects.filter(warehouse=warehouse).values("sku__sku", "sku__name", "month")
            .annotate(quantity=Sum("quantity")).order_by("sku__sku", "month"))  # fmt: skip
    months = sorted({row["month"] for row in rows})
    by_sku: dict[str, DemandRow] = {}
    for row in rows:
        entry = by_sku.setdefault(row["sku__sku"], DemandRow(row["sku__sku"], row["sku__name"], [0] * len(months)))
        entry.by_month[months.index(row["month"])] += row["quantity"]
    return months, sorted(by_sku.values(), key=lambda r: (-r.total, r.sku))


def forecast_push(*, warehouse: Warehouse) -> int:
    """Send the warehouse its committed demand; the number of (SKU, month) lines sent.
    Raises WarehouseUnavailable / WarehouseRefused (the daily task logs and tries tomorrow)."""
    months, rows = committed_demand(warehouse=warehouse)
    items = [{"month": f"{month:%Y-%m}", "sku": row.sku, "quantity": quantity}
             for row in rows for month, quantity in zip(months, row.by_month, strict=True) if quantity]  # fmt: skip
    WarehouseClient.for_warehouse(warehouse).call(
        "PUT", "/v1/forecast", payload={"generated_at": timezone.now().isoformat(), "items": items}
    )
    return len(items)
