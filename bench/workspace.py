"""The merchant workspace on a big shop: page times, query counts, the 20,000-row export.

    python -m bench.workspace [--customers 10000] [--contracts 20000] [--requests 40]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh database on
that server, dropped at exit), provisions one shop and seeds it (not timed): customers,
two contracts each with their own pet, signed evenly over the last two years on 12- and
24-period plans, every period due so far debited (one succeeded attempt each; about 3 %
failed and still owed, their customers overdue), the rest scheduled.

Then, through the whole Django stack (host routing, middleware, session, templates) as
the shop's owner, `--requests` times each after a warm-up: the overview, the contract
list filtered (status, plan, standing, due date), a contract page (a different contract
each time), customer search (by name and by phone), and the XLSX and CSV exports of every
contract. Prints p50/p95/max and queries per page, and PASS/FAIL for: every page p95
≤ 150 ms, ≤ 20 queries per page, the export of all contracts ≤ 5 s and streamed (its
response is a streaming one). Exits non-zero on any FAIL.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import timedelta

from bench.common import setup_django

PAGE_P95_MS = 150
MAX_QUERIES = 20
EXPORT_SECONDS = 5.0
FAILED_SHARE = 0.03


def seed(*, customers: int, contracts: int):
    """One shop and its data (bulk inserts and INSERT … SELECT; not timed)."""
    from datetime import date

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.billing.models import Contract, PaymentMethod, Plan, PlanVersion
    from pawpact.customers.models import Customer, Pet
    from pawpact.tenants.services import shop_provision

    owner = User.objects.create_user("owner@bench.test", "bench-pass-123", name="Bench owner")
    shop = shop_provision(name="Bench Pets", slug="bench", owner=owner)
    now = timezone.now()
    today = timezone.localdate()
    with schema_context(shop.schema_name):
        versions = []
        for code, periods, price in (("bench-12", 12, 39_900), ("bench-24", 24, 59_900)):
            plan = Plan.objects.create(code=code, name=f"Bench {periods}")
            versions.append(PlanVersion.objects.create(
                plan=plan, version=1, monthly_price_minor=price, periods=periods, debit_day=10,
                scope_of_use="food, litter and deworming", deposit_minor=0, penalty_rate="0.100", cooling_off_days=7,
                entitlements=[{"kind": "food", "item": "猫粮", "quantity": 2, "unit": "kg"}],
            ))  # fmt: skip
        people = Customer.objects.bulk_create(
            (Customer(name=f"顾客{i:05d} Customer", phone=f"139{i:08d}", birth_date=date(1990, 1, 1), created_at=now)
             for i in range(customers)), batch_size=5000,
        )  # fmt: skip
        methods = PaymentMethod.objects.bulk_create(
            (PaymentMethod(customer=c, rail="sandbox", token=f"tok_success.{c.uuid.hex[:16]}", label="Sandbox · success")
             for c in people), batch_size=5000,
        )  # fmt: skip
        pets = Pet.objects.bulk_create(
            (Pet(owner=people[i % customers], name=f"Pet {i}", species="cat") for i in range(contracts)), batch_size=5000
        )
        rows = []
        for i, pet in enumerate(pets):
            version = versions[i % 2]
            signed = now - timedelta(days=(i * 730) // contracts)
            rows.append(Contract(
                customer=pet.owner, pet=pet, plan_version=version, status="active", currency="CNY",
                monthly_amount_minor=version.monthly_price_minor, periods=version.periods,
                total_minor=version.monthly_price_minor * version.periods, deposit_status="waived",
                payment_method=methods[i % customers], signed_at=signed, activated_at=signed, created_at=signed,
                cooling_off_until=(signed + timedelta(days=7)).date(),
            ))  # fmt: skip
        Contract.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            _periods_and_attempts(cursor, today=today)
            cursor.execute("ANALYZE")
    return shop


def _periods_and_attempts(cursor, *, today) -> None:
    """Monthly periods from each contract's signing day; the past ones paid (some failed)."""
    cursor.execute(
        "INSERT INTO billing_debitperiod (contract_id, number, due_date, amount_minor, currency, status, not_before,"
        " paid_at)"
        " SELECT c.id, n, d, c.monthly_amount_minor, c.currency,"
        "   CASE WHEN d > %(today)s THEN 'scheduled' WHEN (c.id * 31 + n) %% 100 < %(failed)s THEN 'failed'"
        "        ELSE 'paid' END,"
        "   d::timestamptz, CASE WHEN d <= %(today)s AND (c.id * 31 + n) %% 100 >= %(failed)s THEN d::timestamptz END"
        " FROM billing_contract c CROSS JOIN LATERAL generate_series(1, c.periods) AS n"
        " CROSS JOIN LATERAL (SELECT (c.signed_at::date + ((n - 1) || ' month')::interval)::date AS d) AS due",
        {"today": today, "failed": int(FAILED_SHARE * 100)},
    )
    cursor.execute(
        "INSERT INTO billing_debitattempt (period_id, number, idempotency_key, rail, amount_minor, status, outcome,"
        " decline_type, rail_reference, started_at, finished_at)"
        " SELECT p.id, 1, 'bench:' || p.id, 'sandbox', p.amount_minor,"
        "   CASE WHEN p.status = 'paid' THEN 'succeeded' ELSE 'failed' END,"
        "   CASE WHEN p.status = 'paid' THEN 'succeeded' ELSE 'insufficient_funds' END,"
        "   CASE WHEN p.status = 'paid' THEN '' ELSE 'soft' END, '', p.not_before, p.not_before"
        " FROM billing_debitperiod p WHERE p.status IN ('paid', 'failed')"
    )
    cursor.execute(
        "UPDATE billing_debitperiod SET overdue_since = due_date + 1 WHERE status = 'failed'"
    )
    cursor.execute(
        "UPDATE customers_customer SET standing = 'overdue', standing_since = now() WHERE id IN"
        " (SELECT c.customer_id FROM billing_contract c JOIN billing_debitperiod p ON p.contract_id = c.id"
        "  WHERE p.status = 'failed')"
    )


def measure(client, url: str, requests: int) -> tuple[list[float], int, int]:
    """(milliseconds per request, queries of the last one, status)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = sum(1 for query in captured.captured_queries if not query["sql"].startswith("SET search_path"))
    return times, queries, response.status_code


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def run_pages(client, shop, requests: int) -> list[bool]:
    from django_tenants.utils import schema_context

    from pawpact.billing.models import Contract

    with schema_context(shop.schema_name):
        uuids = list(Contract.objects.values_list("uuid", flat=True)[:5000])
    until = (time.strftime("%Y-%m-%d"))
    pages = [
        ("overview", lambda: "/manage/"),
        ("contracts, filtered", lambda: f"/manage/contracts/?status=active&plan=bench-24&standing=current&due_before={until}"),
        ("contracts, searched", lambda: f"/manage/contracts/?q=顾客0{random.randint(1000, 9999)}"),
        ("contract page", lambda: f"/manage/contracts/{random.choice(uuids)}/"),
        ("customers by name", lambda: "/manage/customers/?q=Customer&segment=active"),
        ("customers by phone", lambda: f"/manage/customers/?q=139{random.randint(0, 9999):08d}"),
        ("collections", lambda: "/manage/collections/"),
    ]  # fmt: skip
    results = []
    print(f"{'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for name, url in pages:
        times, queries = [], 0
        for _ in range(requests):
            sample, queries, status = measure(client, url(), 1)
            assert status == 200, (name, status)
            times.extend(sample)
        ok = p95(times) <= PAGE_P95_MS and queries <= MAX_QUERIES
        results.append(ok)
        print(f"{name:<22} {statistics.median(times):8.1f} {p95(times):8.1f} {max(times):8.1f} {queries:8d}"
              f"  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    return results


def run_exports(client) -> list[bool]:
    results = []
    for kind in ("xlsx", "csv"):
        start = time.perf_counter()
        response = client.get(f"/manage/contracts/?export={kind}")
        size = len(b"".join(response.streaming_content)) if response.streaming else len(response.content)
        seconds = time.perf_counter() - start
        ok = response.status_code == 200 and response.streaming and seconds <= EXPORT_SECONDS
        results.append(ok)
        print(f"export {kind:<5} {seconds:6.2f} s  {size / 1e6:6.1f} MB  streamed: {response.streaming}"
              f"  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User

    started = time.perf_counter()
    shop = seed(customers=args.customers, contracts=args.contracts)
    print(f"seeded {args.customers:,} customers, {args.contracts:,} contracts in {time.perf_counter() - started:.1f} s")
    client = Client(HTTP_HOST=shop.get_primary_domain().domain, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with schema_context(shop.schema_name):
        client.force_login(User.objects.get(email="owner@bench.test"))
    results = run_pages(client, shop, args.requests) + run_exports(client)
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
