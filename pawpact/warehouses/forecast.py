"""Committed demand per warehouse: the shops' forecast rows summed per SKU and month, for
the platform console and for the warehouse (PUT /v1/forecast, so it can stock ahead).

The warehouse receives it nightly and, when a shop's demand changes (a contract signed or
terminated, a plan's box edited), a few minutes after the change: through a per-warehouse
outbox row (ForecastPush) that debounces bursts and retries failures."""
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils.translation import get_language

from pawpact.core.clock import Clock, default_clock
from pawpact.warehouses import tasks as warehouse_tasks  # a module: the tasks import this one back
from pawpact.warehouses.client import WarehouseClient
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses.models import Forecast, ForecastPush, Warehouse

logger = logging.getLogger(__name__)
DEBOUNCE = timedelta(minutes=5)
CLAIM = timedelta(minutes=2)
RETRY = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


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


def forecast_items(*, warehouse: Warehouse) -> list[dict]:
    months, rows = committed_demand(warehouse=warehouse)
    return [{"month": f"{month:%Y-%m}", "sku": row.sku, "quantity": quantity}
            for row in rows for month, quantity in zip(months, row.by_month, strict=True) if quantity]  # fmt: skip


def forecast_digest(items: list[dict]) -> str:
    """The forecast's identity: the same demand has the same id, whenever it is computed."""
    canonical = json.dumps(sorted(items, key=lambda i: (i["sku"], i["month"])), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def demand_freshness(*, warehouse: Warehouse) -> DemandFreshness:
    """How many shops the demand counts and when it was computed (each shop computes its own)."""
    found = Forecast.objects.filter(warehouse=warehouse).aggregate(
        shops=Count("shop_id", distinct=True), oldest=Min("computed_at"), newest=Max("computed_at"))
    return DemandFreshness(found["shops"], found["oldest"], found["newest"])


def forecast_push(*, warehouse: Warehouse, clock: Clock = default_clock) -> int:
    """Send the warehouse its committed demand; the number of (SKU, month) lines sent.
    Raises WarehouseUnavailable / WarehouseRefused (the daily task logs and tries tomorrow)."""
    items = forecast_items(warehouse=warehouse)
    digest = forecast_digest(items)
    WarehouseClient.for_warehouse(warehouse).call(
        "PUT", "/v1/forecast", payload={"forecast_id": digest, "generated_at": clock.now().isoformat(), "items": items}
    )
    ForecastPush.objects.update_or_create(warehouse=warehouse, defaults={"sent_digest": digest, "sent_at": clock.now()})
    return len(items)


def forecast_push_request(*, warehouse_ids: set[int], clock: Clock = default_clock) -> None:
    """Committed demand of these warehouses changed: push it once the debounce window ends
    (a window already open is kept, so a burst of changes makes one push). Durable: the row
    is written in the caller's transaction; the task scheduled after commit, or the sweep,
    sends it."""
    now = clock.now()
    for warehouse_id in sorted(warehouse_ids):
        push, _created = ForecastPush.objects.select_for_update().get_or_create(warehouse_id=warehouse_id)
        push.requested_at = now
        push.due_at = push.due_at or now + DEBOUNCE
        push.save(update_fields=["requested_at", "due_at"])
    if warehouse_ids:
        transaction.on_commit(
            lambda: warehouse_tasks.forecast_push_due_task.apply_async(countdown=DEBOUNCE.total_seconds()), robust=True)


def forecast_push_due(*, clock: Clock = default_clock) -> int:
    """Send every forecast whose debounce window has ended; the number of pushes sent. A
    forecast equal to what the warehouse has is not sent again; a failure is retried with
    backoff. Call outside a transaction."""
    now, sent = clock.now(), 0
    with transaction.atomic():
        due = list(ForecastPush.objects.select_for_update(skip_locked=True).select_related("warehouse")
                   .filter(due_at__lte=now))  # fmt: skip
        # Claimed for a while: a second worker skips them until this one is done.
        ForecastPush.objects.filter(pk__in=[push.pk for push in due]).update(due_at=now + CLAIM)
    for push in due:
        items = forecast_items(warehouse=push.warehouse)
        digest = forecast_digest(items)
        if digest == push.sent_digest:
            ForecastPush.objects.filter(pk=push.pk).update(due_at=None, attempts=0, last_error="")
            continue
        try:
            forecast_push(warehouse=push.warehouse, clock=clock)
        except (WarehouseUnavailable, WarehouseRefused) as error:
            delay = RETRY[min(push.attempts, len(RETRY) - 1)]
            ForecastPush.objects.filter(pk=push.pk).update(due_at=now + delay, attempts=push.attempts + 1,
                                                           last_error=error.message[:255])  # fmt: skip
            logger.warning("Forecast for %s not delivered: %s", push.warehouse.code, error.message)
            continue
        ForecastPush.objects.filter(pk=push.pk).update(due_at=None, attempts=0, last_error="")
        sent += 1
    return sent
