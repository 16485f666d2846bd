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
from django.db.models import Sum

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


def forecast_items(*, warehouse: Warehouse) -> list[dict]:
    months, rows = committed_demand(warehouse=warehouse)
    return [{"month": f"{month:%Y-%m}", "sku": row.sku, "quantity": quantity}
            for row in rows for month, quantity in zip(months, row.by_month, strict=True) if quantity]  # fmt: skip


def forecast_digest(items: list[dict]) -> str:
    """The forecast's identity: the same demand has the same id, whenever it is computed."""
    canonical = json.dumps(sorted(items, key=lambda i: (i["sku"], i["month"])), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
