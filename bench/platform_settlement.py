"""The daily settlement run: set-based (ours) against a naive per-advance loop.

    python -m bench.platform_settlement [--shops 1000] [--contracts 10000] [--naive-shops 50]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh database on
that server, dropped at exit) and migrates the platform. Settlement reads public tables
only, so shop schemas are not created: the seed (not timed) is public Shop rows (state
active, bulk_create), FundingTerms (T+0, so contracts signed today are due today),
applied PlatformEvents (contract.signed and period 1's debit.paid of every contract),
the advances and their purchase journals through `advances_create_bulk` (the bulk twin
of `advance_create`), the collection journals, and, for one shop in ten, an advance paid
out yesterday and then terminated early, leaving an open clawback for today's payout.

Then:
  (a) the naive loop (one transaction per advance, then one rail call, update and journal
      per payout) on `--naive-shops` extra shops with the same advances per shop;
  (b) `settlement_run` over everything else: --contracts advances across --shops shops;
  (c) checks: one payout per shop, every advance paid, payout sums = advances − clawbacks,
      a second run creates nothing, `platform_ledger_check` passes.
Prints seconds, advances/s, the ratio against the naive loop, PASS/FAIL for the target
(≤ 30 s, ledger balanced); exits non-zero on any FAIL.
"""
import argparse
import io
import itertools
import sys
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from bench.common import scalar, setup_django

TARGET_SECONDS = 30.0
_rounds = itertools.count(1)




# --- seeding (not timed) ---------------------------------------------------------------


def shops_create(prefix: str, count: int) -> list[int]:
    from django.utils import timezone

    from pawpact.platform.models import FundingTerms
    from pawpact.tenants.models import Shop

    now = timezone.now()
    shops = Shop.objects.bulk_create(
        Shop(schema_name=f"bench_{prefix}_{i:05d}", name=f"Bench {prefix} {i}", slug=f"{prefix}-{i:05d}",
             state="active", created_at=now)
        for i in range(count)
    )  # fmt: skip
    rates = (Decimal("0.90"), Decimal("0.85"), Decimal("0.92"), Decimal("1"))
    FundingTerms.objects.bulk_create(
        FundingTerms(shop=shop, advance_rate=rates[i % len(rates)], fee_minor=(i % 3) * 500,
                     recourse_rule=("full", "pro_rata", "none")[i % 3], settlement_delay_days=0, updated_at=now)
        for i, shop in enumerate(shops)
    )  # fmt: skip
    return [shop.pk for shop in shops]


def contracts_seed(shop_ids: list[int], total: int, signed_at: datetime) -> int:
    """`total` contracts signed at `signed_at`, spread evenly over the shops: their applied
    events, advances, purchase and collection journals. Returns the advances created."""
    from django.db import connection

    from pawpact.platform.enums import PlatformAccount, PlatformJournalKind
    from pawpact.platform.funding.advances import (
        ContractBought,
        advances_create_bulk,
        collection_key,
    )
    from pawpact.platform.funding.ledger import (
        Entry,
        Line,
        journals_post_many,
    )
    from pawpact.platform.models import PlatformEvent

    plans = ((39_900, 12), (59_900, 12), (89_900, 24))
    contracts = []
    for n in range(total):
        monthly, periods = plans[n % len(plans)]
        contracts.append(ContractBought(shop_id=shop_ids[n % len(shop_ids)], contract_uuid=uuid.uuid4(),
                                        value_minor=monthly * periods, monthly_amount_minor=monthly, periods=periods,
                                        currency="CNY", signed_at=signed_at))  # fmt: skip
    events = []
    for n, c in enumerate(contracts):
        base = {"contract_uuid": str(c.contract_uuid), "currency": "CNY"}
        events.append(PlatformEvent(
            shop_id=c.shop_id, tenant_event_id=2 * n + 1, kind="contract.signed", aggregate_uuid=c.contract_uuid,
            payload={**base, "total_minor": c.value_minor, "monthly_amount_minor": c.monthly_amount_minor,
                     "periods": c.periods, "signed_at": signed_at.isoformat()},
            occurred_at=signed_at, received_at=signed_at, applied_at=signed_at,
        ))  # fmt: skip
        events.append(PlatformEvent(
            shop_id=c.shop_id, tenant_event_id=2 * n + 2, kind="debit.paid", aggregate_uuid=c.contract_uuid,
            payload={**base, "period_number": 1, "attempt_number": 1, "amount_minor": c.monthly_amount_minor},
            occurred_at=signed_at, received_at=signed_at, applied_at=signed_at,
        ))  # fmt: skip
    prefix = next(_rounds) * 10**9  # tenant event ids unique per seeding round
    for event in events:
        event.tenant_event_id += prefix
    PlatformEvent.objects.bulk_create(events, batch_size=5000)
    report = advances_create_bulk(contracts=contracts)
    journals_post_many([
        Entry(key=collection_key(shop_id=c.shop_id, contract_uuid=c.contract_uuid, period_number=1, attempt_number=1),
              kind=PlatformJournalKind.ADVANCE_COLLECTION, currency="CNY", shop_id=c.shop_id, contract_uuid=c.contract_uuid,
              memo="period 1, attempt 1",
              lines=[Line(PlatformAccount.CASH, c.monthly_amount_minor),
                     Line(PlatformAccount.CUSTOMER_RECEIVABLE, -c.monthly_amount_minor)])
        for c in contracts
    ])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE platform_advance SET collected_minor = monthly_amount_minor"
            " WHERE contract_uuid = ANY(%s::uuid[])",
            [[c.contract_uuid for c in contracts]],
        )
        for table in ("platform_advance", "platform_payout", "platform_clawback", "platform_platformjournal",
                      "platform_platformledgerline", "platform_platformevent", "tenants_shop"):  # fmt: skip
            cursor.execute(f"ANALYZE {table}")
    return report.created


def clawbacks_seed(shop_ids: list[int], today) -> int:
    """One shop in ten: an advance signed and paid out yesterday, then terminated early."""
    from django.utils import timezone

    from pawpact.core.clock import FixedClock
    from pawpact.platform.funding.advances import advance_close
    from pawpact.platform.funding.settlement import settlement_run
    from pawpact.platform.models import Advance

    some = shop_ids[::10]
    noon = datetime.combine(today - timedelta(days=1), datetime.min.time()) + timedelta(hours=12)
    yesterday = FixedClock(timezone.make_aware(noon, timezone.get_default_timezone()))
    contracts_seed(some, len(some), yesterday.now())
    settlement_run(clock=yesterday, shop_ids=some)
    closed = 0
    for advance in Advance.objects.filter(shop_id__in=some, status="paid"):
        closed += advance_close(shop_id=advance.shop_id, contract_uuid=advance.contract_uuid,
                                reason="early_termination", clock=yesterday) is not None  # fmt: skip
    return closed


# --- the naive loop ----------------------------------------------------------------------


def settlement_naive(*, today, now, shop_ids: list[int]) -> int:
    """What one would write first: a transaction per due advance, then per payout one rail
    call, one update and one journal. Returns the advances settled."""
    from django.db import transaction
    from django.db.models import F

    from pawpact.core.money import Money
    from pawpact.platform.enums import PlatformAccount, PlatformJournalKind
    from pawpact.platform.funding.ledger import (
        Line,
        journal_post,
        lines_without_zeros,
    )
    from pawpact.platform.funding.payout_rails import (
        PayoutOrder,
        SandboxPayoutRail,
        payout_key,
    )
    from pawpact.platform.models import Advance, Clawback, Payout

    settled = 0
    due = Advance.objects.filter(status="pending", payable_on__lte=today, shop_id__in=shop_ids).order_by("id")
    for advance in due:
        with transaction.atomic():
            payout, _ = Payout.objects.select_for_update().get_or_create(
                shop_id=advance.shop_id, settlement_date=today, defaults={"created_at": now, "currency": "CNY"}
            )
            Advance.objects.filter(pk=advance.pk).update(status="in_payout", payout=payout)
            Payout.objects.filter(pk=payout.pk).update(advances_minor=F("advances_minor") + advance.amount_minor,
                                                       amount_minor=F("amount_minor") + advance.amount_minor)  # fmt: skip
        settled += 1
    rail = SandboxPayoutRail()
    for payout in Payout.objects.filter(settlement_date=today, shop_id__in=shop_ids, status="created"):
        with transaction.atomic():
            clawed = 0
            for clawback in Clawback.objects.filter(shop_id=payout.shop_id, payout__isnull=True).order_by("id"):
                if clawed + clawback.amount_minor > payout.advances_minor:
                    break
                clawed += clawback.amount_minor
                Clawback.objects.filter(pk=clawback.pk).update(payout=payout)
            payout.clawbacks_minor, payout.amount_minor = clawed, payout.advances_minor - clawed
            result = rail.transfer(PayoutOrder(payout_id=payout.pk, shop_id=payout.shop_id, shop_slug="",
                                               settlement_date=today, amount=Money(payout.amount_minor)))  # fmt: skip
            payout.status, payout.rail_reference, payout.paid_at = "paid", result.reference, now
            payout.save()
            for advance in Advance.objects.filter(payout=payout):
                advance.status = "paid"
                advance.save(update_fields=["status"])
            journal_post(key=payout_key(payout.pk), kind=PlatformJournalKind.PAYOUT_PAID, shop_id=payout.shop_id, at=now,
                         lines=lines_without_zeros([Line(PlatformAccount.ADVANCES_PAYABLE, payout.advances_minor),
                                                    Line(PlatformAccount.SHOP_RECEIVABLE, -clawed),
                                                    Line(PlatformAccount.CASH, -payout.amount_minor)]))  # fmt: skip
    return settled


# --- checks ------------------------------------------------------------------------------




def ledger_check() -> tuple[bool, str]:
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("platform_ledger_check", stdout=out)
    except CommandError as error:
        return False, str(error)
    return True, out.getvalue().strip()


# --- main --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--contracts", type=int, default=10_000, help="contracts signed today, across --shops")
    parser.add_argument("--naive-shops", type=int, default=50, help="extra shops settled by the naive loop")
    args = parser.parse_args()
    setup_django()

    from django.utils import timezone

    from pawpact.core.clock import FixedClock
    from pawpact.platform.funding.settlement import settlement_run

    now = timezone.now()
    today = timezone.localdate(now)
    clock = FixedClock(now)
    per_shop = max(args.contracts // max(args.shops, 1), 1)
    checks: dict[str, bool] = {}

    start = time.perf_counter()
    main_shops = shops_create("run", args.shops)
    naive_shops = shops_create("naive", args.naive_shops)
    clawbacks = clawbacks_seed(main_shops, today)
    created = contracts_seed(main_shops, args.contracts, now - timedelta(minutes=5))
    naive_created = contracts_seed(naive_shops, args.naive_shops * per_shop, now - timedelta(minutes=5))
    print(f"seeded {args.shops:,} shops × ~{per_shop} contracts signed today ({created:,} advances due, "
          f"{clawbacks} open clawbacks) + {args.naive_shops} naive-loop shops ({naive_created:,} advances) in "
          f"{time.perf_counter() - start:.1f} s (not timed)")  # fmt: skip

    # (a) the naive loop on its sample
    start = time.perf_counter()
    naive_settled = settlement_naive(today=today, now=now, shop_ids=naive_shops)
    naive_seconds = time.perf_counter() - start
    naive_rate = naive_settled / naive_seconds
    print(f"(a) naive per-advance loop: {naive_settled:,} advances in {naive_seconds:.2f} s "
          f"= {naive_rate:,.0f} advances/s")  # fmt: skip

    # (b) the settlement run over every other due advance
    start = time.perf_counter()
    report = settlement_run(clock=clock)
    seconds = time.perf_counter() - start
    rate = report.advances / seconds
    print(f"(b) settlement_run: {report.advances:,} advances, {report.clawbacks} clawbacks → "
          f"{report.payouts_created:,} payouts ({report.payouts_paid:,} paid) in {seconds:.2f} s "
          f"= {rate:,.0f} advances/s; ratio against the naive loop {rate / naive_rate:.1f}x")  # fmt: skip

    # (c) checks
    start = time.perf_counter()
    again = settlement_run(clock=clock)
    again_seconds = time.perf_counter() - start
    print(f"(c) second run the same day: {again.payouts_created} payouts created, {again.payouts_paid} paid "
          f"({again_seconds:.2f} s)")  # fmt: skip
    payouts_today = scalar("SELECT count(*) FROM platform_payout WHERE settlement_date = %s AND shop_id = ANY(%s)",
                            [today, main_shops])  # fmt: skip
    unpaid = scalar("SELECT count(*) FROM platform_advance WHERE status <> 'paid' AND shop_id = ANY(%s)",
                     [main_shops + naive_shops])  # fmt: skip
    wrong_sums = scalar(
        "SELECT count(*) FROM platform_payout p WHERE p.advances_minor <> (SELECT COALESCE(SUM(amount_minor), 0)"
        " FROM platform_advance WHERE payout_id = p.id) OR p.clawbacks_minor <> (SELECT COALESCE(SUM(amount_minor),"
        " 0) FROM platform_clawback WHERE payout_id = p.id) OR p.amount_minor <> p.advances_minor - p.clawbacks_minor"
    )
    open_clawbacks = scalar("SELECT count(*) FROM platform_clawback WHERE payout_id IS NULL")
    ledger_ok, ledger_line = ledger_check()
    print(f"    payouts today {payouts_today:,} (one per shop), advances not paid {unpaid}, payouts with wrong "
          f"sums {wrong_sums}, clawbacks left open {open_clawbacks}")  # fmt: skip
    print(f"    {ledger_line}")

    checks[f"settlement of {report.advances:,} advances across {args.shops:,} shops in ≤ {TARGET_SECONDS:.0f} s "
           f"({seconds:.2f} s)"] = seconds <= TARGET_SECONDS and report.advances == created  # fmt: skip
    checks["one payout per shop, all paid, every advance paid, sums exact"] = (
        payouts_today == args.shops == report.payouts_paid and unpaid == 0 and wrong_sums == 0
    )
    checks["a second run the same day creates nothing"] = again.payouts_created == again.payouts_paid == 0
    checks["platform ledger balanced and reconciled"] = ledger_ok
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
