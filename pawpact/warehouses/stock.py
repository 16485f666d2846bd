"""Shared stock: reports from the warehouse applied once, reservations that never oversell.

A reservation is one conditional UPDATE (`available - reserved >= quantity`), so
concurrent checkouts in any shop linked to the warehouse can never together take
more than the warehouse reported. A reservation is released when the warehouse's
report has caught up with the order (a stock version at or after its allocation),
or when the order is not placed.
"""
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.warehouses.errors import OutOfStock
from pawpact.warehouses.models import StockReservation, WarehouseSku

_SKUS, _RESERVATIONS = WarehouseSku._meta.db_table, StockReservation._meta.db_table


def stock_reserve(*, shop_id: int, reference, lines: Sequence[tuple[int, int]]) -> None:
    """Reserve `(warehouse_sku_id, quantity)` lines for one order, all or nothing.

    Call inside the transaction that writes the order: if it rolls back, so do the
    reservations. Raises OutOfStock naming the short SKUs; reserves nothing then.

    One statement whatever the number of lines (a checkout's round trips are its latency
    under a burst): it locks the SKUs' rows in id order (one lock order everywhere, so two
    carts never deadlock), takes each line's units only where they are free, and writes the
    reservations only if every line got its units.
    """
    merged: dict[int, int] = {}
    for sku_id, quantity in lines:  # one row per SKU: the statement takes each row once
        merged[sku_id] = merged.get(sku_id, 0) + quantity
    wanted = sorted(merged.items())
    skus, quantities = [sku_id for sku_id, _q in wanted], [quantity for _s, quantity in wanted]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH wanted AS (SELECT * FROM unnest(%s::bigint[], %s::int[]) AS w(sku_id, quantity)),
                locked AS (SELECT id FROM {_SKUS} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE),
                taken AS (
                    UPDATE {_SKUS} AS s SET reserved = s.reserved + w.quantity FROM wanted AS w
                    WHERE s.id = w.sku_id AND s.id IN (SELECT id FROM locked) AND s.is_active
                      AND s.available >= s.reserved + w.quantity
                    RETURNING s.id),
                booked AS (
                    INSERT INTO {_RESERVATIONS} (sku_id, shop_id, reference, quantity, created_at)
                    SELECT w.sku_id, %s, %s, w.quantity, now() FROM wanted AS w
                    WHERE (SELECT count(*) FROM taken) = %s
                    RETURNING 1)
                SELECT array(SELECT id FROM taken), (SELECT count(*) FROM booked)""",
            [skus, quantities, skus, shop_id, reference, len(wanted)],
        )
        taken, _booked = cursor.fetchone()
        short = sorted(set(skus) - set(taken))
        if short:
            transaction.set_rollback(True)  # the units taken for the other lines go back
    if short:
        names = list(WarehouseSku.objects.filter(pk__in=short).values_list("sku", flat=True))
        raise OutOfStock(_("Not enough stock."), fields={"lines": [_("%(sku)s is sold out or short.") % {"sku": n} for n in names]})


def reservation_allocated(*, reference, versions: dict[int, int]) -> int:
    """The warehouse accepted the order: note each line's allocation version, and release the
    lines whose SKU report already includes it. Returns how many were released."""
    with transaction.atomic():
        open_rows = list(
            StockReservation.objects.select_for_update(of=("self",)).filter(reference=reference, released_at__isnull=True)
        )
        for row in open_rows:
            row.allocated_version = versions.get(row.sku_id, row.allocated_version)
        StockReservation.objects.bulk_update(open_rows, ["allocated_version"])
        caught_up = [
            row.pk for row in open_rows
            if row.allocated_version is not None
            and WarehouseSku.objects.filter(pk=row.sku_id, stock_version__gte=row.allocated_version).exists()
        ]  # fmt: skip
        return _release(StockReservation.objects.filter(pk__in=caught_up))


def reservation_release(*, reference) -> int:
    """The order will not reach the warehouse (payment failed, cancelled before sending)."""
    with transaction.atomic():
        return _release(StockReservation.objects.filter(reference=reference))


def _release(rows) -> int:
    """Release open reservations (each once) and give their units back."""
    released = list(
        rows.select_for_update(of=("self",)).filter(released_at__isnull=True).order_by("sku_id").values_list("pk", "sku_id", "quantity")
    )
    if not released:
        return 0
    StockReservation.objects.filter(pk__in=[pk for pk, _, _ in released]).update(released_at=timezone.now())
    by_sku: dict[int, int] = {}
    for _pk, sku_id, quantity in released:
        by_sku[sku_id] = by_sku.get(sku_id, 0) + quantity
    for sku_id in sorted(by_sku):
        WarehouseSku.objects.filter(pk=sku_id).update(reserved=F("reserved") - by_sku[sku_id])
    return len(released)


def stock_apply(*, warehouse_id: int, items: Iterable[dict]) -> int:
    """Apply a stock report: each SKU's level only if its version is newer than the one held
    (a late or repeated report changes nothing); then release the reservations it covers.

    One statement for the whole report (10,000 items in well under a second)."""
    skus, levels, versions = [], [], []
    for item in items:
        skus.append(str(item["sku"]))
        levels.append(max(0, int(item["available"])))
        versions.append(int(item["stock_version"]))
    if not skus:
        return 0
    table = WarehouseSku._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} AS s SET available = r.available, stock_version = r.version, updated_at = now()
                FROM unnest(%s::text[], %s::int[], %s::bigint[]) AS r(sku, available, version)
                WHERE s.warehouse_id = %s AND s.sku = r.sku AND s.stock_version < r.version
                RETURNING s.id""",
            [skus, levels, versions, warehouse_id],
        )
        changed = [row[0] for row in cursor.fetchall()]
        if changed:
            _release(
                StockReservation.objects.filter(
                    sku_id__in=changed, allocated_version__isnull=False,
                    allocated_version__lte=F("sku__stock_version"),
                )  # fmt: skip
            )
    return len(changed)
