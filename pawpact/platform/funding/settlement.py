"""The daily settlement run: due advances and open clawbacks → one payout per shop per day.

`settlement_run` (the task platform.settlement_run calls it daily) works in two steps:

1. Batch, set-based, in one transaction: for every active shop with advances due
   (status pending, payable_on ≤ today) it inserts one Payout for today
   (ON CONFLICT (shop, settlement_date) DO NOTHING: a second run the same day creates
   nothing), moves those advances into it (in_payout), then deducts the shop's open
   clawbacks, oldest first, as long as their running total fits within the advances
   (a clawback that does not fit waits for the next payout, whole). The payout's
   figures are summed from the rows it really took.
2. Pay every payout not yet paid (today's, and earlier ones whose transfer failed or
   whose outcome was unknown) through the payout rail, with the idempotency key
   "payout:<id>": a retry never pays twice. The CREATED row committed in step 1 is the
   marker around the external effect. Paid payouts are recorded in bulk: status paid,
   the rail's reference, their advances paid, and the journal

      payout.paid   key "payout:<id>"
          ADVANCES_PAYABLE +advances   SHOP_RECEIVABLE −clawbacks   CASH −amount

   A failed transfer marks the payout failed (its advances stay in_payout) and is
   retried by the next run; an unknown outcome (timeout) leaves it created.

Payout states: created → paid | failed; failed → paid.

A deactivated shop's due advances wait until it is active again. One payout per shop
and day holds one currency (the unique constraint): advances in a second currency
would wait; shops trade in CNY.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name

from pawpact.core.clock import Clock, default_clock
from pawpact.core.money import Money
from pawpact.platform.enums import (
    AdvanceStatus,
    PayoutStatus,
    PlatformAccount,
    PlatformJournalKind,
)
from pawpact.platform.funding.ledger import Entry, Line, journals_post_many, lines_without_zeros
from pawpact.platform.funding.payout_rails import (
    PayoutOrder,
    PayoutRail,
    TransferResult,
    payout_key,
    payout_rail_for,
)
from pawpact.platform.models import Payout
from pawpact.tenants.enums import ShopState

logger = logging.getLogger(__name__)

# The states a payout may be paid from (the SQL guards enforce the transitions).
PAYABLE_STATUSES = (PayoutStatus.CREATED, PayoutStatus.FAILED)
RECORD_CHUNK = 500


# --- the run ------------------------------------------------------------------------------


@dataclass
class SettlementReport:
    settlement_date: date | None = None
    payouts_created: int = 0
    advances: int = 0
    clawbacks: int = 0
    payouts_paid: int = 0
    paid_minor: int = 0
    payouts_failed: int = 0
    payouts_unknown: int = 0
    failures: list[str] = field(default_factory=list)


def payouts_batch(*, today: date, now: datetime, rail_name: str, shop_ids: Sequence[int] | None = None) -> dict:
    """Step 1: today's payouts, their advances and clawbacks, set-based, in one transaction."""
    public = get_public_schema_name()
    only = " AND a.shop_id = ANY(%(shops)s)" if shop_ids is not None else ""
    params = {"today": today, "now": now, "rail": rail_name, "active": ShopState.ACTIVE, "public": public,
              "pending": AdvanceStatus.PENDING, "in_payout": AdvanceStatus.IN_PAYOUT,
              "created": PayoutStatus.CREATED, "shops": list(shop_ids or [])}  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO platform_payout (shop_id, settlement_date, currency, advances_minor, clawbacks_minor,"
            " amount_minor, status, rail, rail_reference, created_at)"
            " SELECT DISTINCT ON (a.shop_id) a.shop_id, %(today)s, a.currency, 0, 0, 0, %(created)s, %(rail)s, '',"
            " %(now)s FROM platform_advance a JOIN tenants_shop s ON s.id = a.shop_id"
            " WHERE a.status = %(pending)s AND a.payable_on <= %(today)s AND s.state = %(active)s"
            " AND s.schema_name <> %(public)s" + only + " ORDER BY a.shop_id, a.currency"
            " ON CONFLICT (shop_id, settlement_date) DO NOTHING RETURNING id",
            params,
        )
        payout_ids = [row[0] for row in cursor.fetchall()]
        if not payout_ids:
            return {"payouts": 0, "advances": 0, "clawbacks": 0}
        params["ids"] = payout_ids
        cursor.execute(
            "UPDATE platform_advance a SET status = %(in_payout)s, payout_id = p.id FROM platform_payout p"
            " WHERE p.id = ANY(%(ids)s) AND a.shop_id = p.shop_id AND a.currency = p.currency"
            " AND a.status = %(pending)s AND a.payable_on <= %(today)s",
            params,
        )
        advances = cursor.rowcount
        cursor.execute(
            "UPDATE platform_payout p SET advances_minor = t.total, amount_minor = t.total FROM"
            " (SELECT payout_id, SUM(amount_minor) AS total FROM platform_advance"
            "  WHERE payout_id = ANY(%(ids)s) GROUP BY payout_id) t WHERE p.id = t.payout_id",
            params,
        )
        cursor.execute(
            "WITH open AS ("
            "  SELECT c.id, p.id AS payout_id, p.advances_minor,"
            "   SUM(c.amount_minor) OVER (PARTITION BY c.shop_id ORDER BY c.id) AS running"
            "  FROM platform_clawback c JOIN platform_payout p ON p.shop_id = c.shop_id AND p.currency = c.currency"
            "  WHERE p.id = ANY(%(ids)s) AND c.payout_id IS NULL)"
            " UPDATE platform_clawback c SET payout_id = open.payout_id FROM open"
            " WHERE c.id = open.id AND open.running <= open.advances_minor",
            params,
        )
        clawbacks = cursor.rowcount
        cursor.execute(
            "UPDATE platform_payout p SET clawbacks_minor = t.total, amount_minor = p.advances_minor - t.total"
            " FROM (SELECT payout_id, SUM(amount_minor) AS total FROM platform_clawback"
            "  WHERE payout_id = ANY(%(ids)s) GROUP BY payout_id) t WHERE p.id = t.payout_id",
            params,
        )
    return {"payouts": len(payout_ids), "advances": advances, "clawbacks": clawbacks}


def _orders(shop_ids: Sequence[int] | None) -> list[PayoutOrder]:
    payouts = Payout.objects.filter(status__in=PAYABLE_STATUSES).select_related("shop").order_by("id")
    if shop_ids is not None:
        payouts = payouts.filter(shop_id__in=shop_ids)
    return [
        PayoutOrder(
            payout_id=p.id, shop_id=p.shop_id, shop_slug=p.shop.slug, settlement_date=p.settlement_date,
            amount=Money(p.amount_minor, p.currency),
        )  # fmt: skip
        for p in payouts.only("id", "shop_id", "shop__slug", "settlement_date", "amount_minor", "currency")
    ]


def payouts_record(
    results: Iterable[tuple[PayoutOrder, TransferResult]], *, now: datetime, rail_name: str
) -> tuple[int, int]:
    """Write what the rail answered, in bulk: paid payouts (advances, journals), failures."""
    paid = [(order, result) for order, result in results if result.succeeded]
    failed = [(order, result) for order, result in results if not result.succeeded and not result.is_unknown]
    with transaction.atomic(), connection.cursor() as cursor:
        if paid:
            cursor.execute(
                "UPDATE platform_payout p SET status = %s, rail = %s, rail_reference = v.reference, paid_at = %s"
                " FROM unnest(%s::bigint[], %s::varchar[]) AS v(id, reference)"
                " WHERE p.id = v.id AND p.status = ANY(%s) RETURNING p.id, p.shop_id, p.currency,"
                " p.advances_minor, p.clawbacks_minor, p.amount_minor",
                [PayoutStatus.PAID, rail_name, now, [o.payout_id for o, _ in paid], [r.reference for _, r in paid],
                 list(PAYABLE_STATUSES)],
            )  # fmt: skip
            rows = cursor.fetchall()
            ids = [row[0] for row in rows]
            cursor.execute(
                "UPDATE platform_advance SET status = %s WHERE payout_id = ANY(%s) AND status = %s",
                [AdvanceStatus.PAID, ids, AdvanceStatus.IN_PAYOUT],
            )
            journals_post_many(
                [
                    Entry(
                        key=payout_key(payout_id),
                        kind=PlatformJournalKind.PAYOUT_PAID,
                        lines=lines_without_zeros(
                            [
                                Line(PlatformAccount.ADVANCES_PAYABLE, advances),
                                Line(PlatformAccount.SHOP_RECEIVABLE, -clawbacks),
                                Line(PlatformAccount.CASH, -amount),
                            ]
                        ),
                        currency=currency,
                        shop_id=shop_id,
                        memo=f"advances {advances} − clawbacks {clawbacks}",
                    )
                    for payout_id, shop_id, currency, advances, clawbacks, amount in rows
                    if advances or clawbacks
                ],
                at=now,
            )
        if failed:
            cursor.execute(
                "UPDATE platform_payout SET status = %s, rail = %s WHERE id = ANY(%s) AND status = ANY(%s)",
                [PayoutStatus.FAILED, rail_name, [o.payout_id for o, _ in failed], list(PAYABLE_STATUSES)],
            )
    for order, result in failed:
        logger.warning("payout %s to shop %s failed: %s", order.payout_id, order.shop_slug, result.error)
    return len(paid), len(failed)


def settlement_run(
    *, clock: Clock = default_clock, rail: PayoutRail | None = None, shop_ids: Sequence[int] | None = None
) -> SettlementReport:
    """Today's settlement: batch due advances and open clawbacks into one payout per shop,
    pay every payout not yet paid, record it all. Running it again the same day creates
    nothing new. `shop_ids` limits the run to some shops (tests, the bench's sample)."""
    rail = rail or payout_rail_for()
    today, now = clock.today(), clock.now()
    report = SettlementReport(settlement_date=today)
    batched = payouts_batch(today=today, now=now, rail_name=rail.name, shop_ids=shop_ids)
    report.payouts_created, report.advances, report.clawbacks = (
        batched["payouts"], batched["advances"], batched["clawbacks"],
    )  # fmt: skip

    orders = _orders(shop_ids)
    for start in range(0, len(orders), RECORD_CHUNK):
        chunk = orders[start : start + RECORD_CHUNK]
        results = []
        for order in chunk:
            # Nothing to transfer when the clawbacks take the whole payout.
            result = rail.transfer(order) if order.amount.amount_minor > 0 else TransferResult(succeeded=True)
            results.append((order, result))
            if result.is_unknown:
                report.payouts_unknown += 1
                report.failures.append(f"payout {order.payout_id}: no answer ({result.error})")
            elif not result.succeeded:
                report.failures.append(f"payout {order.payout_id}: {result.error}")
            else:
                report.paid_minor += order.amount.amount_minor
        paid, failed = payouts_record(results, now=clock.now(), rail_name=rail.name)
        report.payouts_paid += paid
        report.payouts_failed += failed
    logger.info(
        "settlement %s: %s payouts created (%s advances, %s clawbacks), %s paid, %s failed, %s unknown",
        today, report.payouts_created, report.advances, report.clawbacks, report.payouts_paid,
        report.payouts_failed, report.payouts_unknown,
    )  # fmt: skip
    return report
