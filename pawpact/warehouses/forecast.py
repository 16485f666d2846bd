"""Committed demand per warehouse: the shops' forecast rows summed per SKU and month, for
the platform console and for the warehouse (PUT /v1/forecast, so it can stock ahead)."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import get_language

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


FORECAST_MONTHS = 3  # this month and the next two


def month_starts(today: date, months: int = FORECAST_MONTHS) -> list[date]:
    """The first day of this month and of the following `months` (the last one ends the window)."""
    starts, year, month = [], today.year, today.month
    for _ in range(months + 1):
        starts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


@dataclass(frozen=True)
class DemandFreshness:
    shops: int  # shops with a box due in the window
    oldest: object  # the least recent computation among them (None without rows)
    newest: object


def committed_demand(*, warehouse: Warehouse, months: list[date] | None = None) -> tuple[list[date], list[DemandRow]]:
    """One row per SKU (largest total first) over `months` (every month shown, empty ones as 0;
    by default the months that have demand). Names in the viewer's language."""
    name = "sku__name" if (get_language() or "").startswith("zh") else "sku__name_en"
    rows = (Forecast.objects.filter(warehouse=warehouse).values("sku__sku", "sku__name", "sku__name_en", "month")
            .annotate(quantity=Sum("quantity")).order_by("sku__sku", "month"))  # fmt: skip
    months = months if months is not None else sorted({row["month"] for row in rows})
    by_sku: dict[str, DemandRow] = {}
    for row in rows:
        if row["month"] not in months:
            continue
        shown = row[name] or row["sku__name"]
        entry = by_sku.setdefault(row["sku__sku"], DemandRow(row["sku__sku"], shown, [0] * len(months)))
        entry.by_month[months.index(row["month"])] += row["quantity"]
    return months, sorted(by_sku.values(), key=lambda r: (-r.total, r.sku))


def demand_freshness(*, warehouse: Warehouse) -> DemandFreshness:
    """How many shops the demand counts and when it was computed (each shop computes its own)."""
    found = Forecast.objects.filter(warehouse=warehouse).aggregate(
        shops=Count("shop_id", distinct=True), oldest=Min("computed_at"), newest=Max("computed_at"))
    return DemandFreshness(found["shops"], found["oldest"], found["newest"])


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
