"""The fleet on one PostgreSQL: N shops from the template, then what grows with N.

    python -m bench.fleet [--shops 10000] [--workers 2] [--requests 50] [--data DIR [--provision-only]]

Starts a throw-away PostgreSQL (or a fresh database on DATABASE_URL's server) with the
settings of bench.migrate (one more shop app, so a schema change can be deployed), then
reports: the provisioning rate (template script replayed per shop, in blocks of a
thousand, so the rate at each size shows), the catalog (`pg_class` rows, database size),
`migrate_platform` with nothing to do and with an additive change (a column and its
index built concurrently), the template's `pg_dump`, p50/p99 of the cross-shop pages
(the console's portfolio page, a shop's benchmark API) and of a shop's API, and the
debit run's fixed cost per shop (a shop with nothing due). It ends with where it
degrades and why. 10,000 shops take about an hour to provision on two shared cores;
run smaller sizes first (`--shops 1000`).

With `--data DIR` the PostgreSQL lives in DIR and is kept: a second run finds the shops
already there and provisions only the rest, so provisioning can be spread over several
runs (`--provision-only` stops after it) and measured on a quiet machine later. The
measurements deploy a migration, so they run once per data directory.
"""
import argparse
import os
import statistics
import sys
import time

from bench.migrate import V2, migrate_platform


def timed(fn, repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}


def get_ok(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: the timing would be of an error page")


def fleet_size() -> int:
    """Shops a kept data directory already holds (each fully provisioned: its row comes last)."""
    from pawpact.tenants.models import Shop

    return Shop.objects.filter(schema_name__startswith="shop_fleet_").count()


def partial_shop_drop(done: int) -> None:
    """A run stopped mid-replay leaves the next shop's schema without its row: start it again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS shop_fleet_{done:05d} CASCADE")


def kept_database(folder: str) -> str:
    from pathlib import Path

    from pawpact.config.embedded import postgres_start

    url = postgres_start(Path(folder) / "pgdata", database="pawpact_fleet")
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], autocommit=True) as admin:
        # A benchmark's database, rebuilt if the machine stops: durability buys nothing.
        admin.execute("ALTER SYSTEM SET fsync = off")
        admin.execute("ALTER SYSTEM SET synchronous_commit = off")
        admin.execute("ALTER SYSTEM SET full_page_writes = off")
        admin.execute("SELECT pg_reload_conf()")
    return url


def provision_blocks(count: int, start: int = 0) -> list[tuple[int, int, float]]:
    """(first shop, shops after the block, shops/s) per block of up to a thousand."""
    from bench.migrate import provision

    rates, done = [], start
    while done < count:
        block = min(1000 - done % 1000, count - done)
        started = time.perf_counter()
        provision(block, offset=done)
        rates.append((done, done + block, block / (time.perf_counter() - started)))
        done += block
        print(f"    {done:>6} shops, {rates[-1][2]:.1f} shops/s over the last {block}", flush=True)
    return rates


def catalog() -> dict[str, float]:
    from bench.common import scalar

    return {
        "pg_class": scalar("SELECT count(*) FROM pg_class"),
        "size_mb": scalar("SELECT pg_database_size(current_database())") / 1e6,
    }


def page_clients():
    """A platform admin on the console; a staff member with an API token in the first real shop."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue
    from pawpact.tenants.services import shop_provision

    admin = User.objects.create_superuser("admin@fleet.test", "pw-fleet-bench", name="Admin")
    console = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    console.force_login(admin)
    owner = User.objects.create_user("owner@fleet.test", "pw-fleet-bench", name="Owner")
    shop = shop_provision(name="Fleet real shop", slug="fleet-real", owner=owner)
    with schema_context(shop.schema_name):
        staff = User.objects.create_user("staff@fleet.test", "pw-fleet-bench", name="Staff", is_staff=True)
        token = api_token_issue(user=staff)
    api = Client(HTTP_HOST=shop.get_primary_domain().domain, HTTP_AUTHORIZATION=f"Token {token}")
    return console, api, shop


def debit_run_overhead(schemas: list[str]) -> float:
    """Milliseconds of the debit run in a shop with nothing due: the fixed cost the fan-out pays per shop."""
    from django_tenants.utils import schema_context

    from pawpact.billing.services.debit_run import debit_run_shop

    started = time.perf_counter()
    for schema in schemas:
        with schema_context(schema):
            debit_run_shop()
    return (time.perf_counter() - started) * 1000 / len(schemas)


def block_rates_kept(folder: str, new: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Every run's blocks, so the rates of a provisioning spread over runs are reported whole."""
    from pathlib import Path

    path = Path(folder) / "blocks.txt"
    with path.open("a") as kept:
        kept.writelines(f"{first} {size} {rate}\n" for first, size, rate in new)
    lines = (line.split() for line in path.read_text().splitlines())
    return [(int(first), int(size), float(rate)) for first, size, rate in lines]


def measured(folder: str) -> bool:
    from pathlib import Path

    return (Path(folder) / "measured").exists()


def mark_measured(folder: str) -> None:
    from pathlib import Path

    (Path(folder) / "measured").write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))


def report(n: int, rates: list[tuple[int, int, float]], provision_s: float, workers: int, requests: int) -> None:
    """Measure the fleet as it stands, printing each figure as soon as it is taken (at 10,000
    shops the whole takes an hour: a stopped run keeps what it printed), then where it degrades."""
    from pawpact.tenants.template import dump_schema

    console, api, _shop = page_clients()
    cat = catalog()
    print(f"\n{n} shops on one PostgreSQL")
    timed_shops = sum(last - first for first, last, _rate in rates)
    # A folder provisioned partly by older runs has no timing for their shops: the rate is of those timed.
    print(f"provisioning        {provision_s:8.1f} s   {timed_shops / provision_s:6.1f} shops/s over the {timed_shops} "
          f"shops timed; first block {rates[0][2]:.1f}/s, last {rates[-1][2]:.1f}/s")  # fmt: skip
    print(f"catalog             {cat['pg_class']:8,} pg_class rows ({cat['pg_class'] / n:.0f} a shop), "
          f"database {cat['size_mb']:,.0f} MB ({cat['size_mb'] / n:.2f} MB a shop)", flush=True)  # fmt: skip
    noop = migrate_platform("bench.migrate_app.migrations_v1", workers)
    print(f"migrate no-op       {noop:8.1f} s", flush=True)
    started = time.perf_counter()
    dump_schema("pawpact_template")
    dump_s = time.perf_counter() - started
    print(f"template pg_dump    {dump_s:8.1f} s", flush=True)
    for name, path, client in (
        ("console portfolio /console/insights/", "/console/insights/", console),
        ("shop benchmark API /api/v1/insights/benchmarks", "/api/v1/insights/benchmarks", api),
        ("shop API /api/v1/plans", "/api/v1/plans", api),
    ):
        t = timed(lambda client=client, path=path: get_ok(client, path), requests)
        print(f"{name:<48} p50 {t['p50']:7.1f} ms   p99 {t['p99']:7.1f} ms", flush=True)
    debit_ms = debit_run_overhead([f"shop_fleet_{i:05d}" for i in range(0, n, max(1, n // 50))])
    print(f"debit run, fixed cost per shop   {debit_ms:.1f} ms  (≈{debit_ms * n / 1000 / workers:.0f} s per run "
          f"with {workers} workers, before any debit)", flush=True)  # fmt: skip
    additive = migrate_platform(V2, workers)
    print(f"migrate additive    {additive:8.1f} s   (column + index built concurrently, every shop)")
    print("\nWhere it degrades and why:")
    print(f"- the catalog grows by {cat['pg_class'] / n:.0f} relations a shop: pg_dump of one schema and any "
          "introspection read all of pg_class, so they slow with N (pg_dump here "
          f"{dump_s:.1f} s); PostgreSQL's relation cache per backend grows with the shops it touched.")
    print(f"- provisioning: {rates[0][2]:.1f} → {rates[-1][2]:.1f} shops/s from the first to the last block "
          "(catalog inserts and their indexes).")
    print(f"- the debit run pays ≈{debit_ms:.0f} ms a shop before any debit: at {n} shops "
          f"{debit_ms * n / 1000:.0f} s of worker time each run.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--data", metavar="DIR", help="keep the database in DIR and resume from the shops there")
    parser.add_argument("--provision-only", action="store_true", help="stop once the shops exist")
    options = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.migrate_settings"
    from bench.common import setup_django

    setup_django(database=kept_database(options.data) if options.data else None)

    n, done = options.shops, fleet_size()
    if options.data and not options.provision_only and measured(options.data):
        raise SystemExit(f"{options.data} was measured already (its shops carry the deployed migration)")
    partial_shop_drop(done)
    print(f"Provisioning {n} shops from the template ({done} there already)")
    rates = provision_blocks(n, start=done)
    if options.data:
        rates = block_rates_kept(options.data, rates)
    provision_s = sum((size - first) / rate for first, size, rate in rates)
    if options.provision_only:
        print(f"{fleet_size()} shops in {options.data}; measure with the same command without --provision-only")
        return 0
    if options.data:
        mark_measured(options.data)
    report(n, rates, provision_s, options.workers, options.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
