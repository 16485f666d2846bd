"""Migrations across the fleet: `migrate_platform` (one query finds the shops behind,
worker processes migrate them) against stock `migrate_schemas`, on N shops.

    python -m bench.migrate [--shops 1000] [--stock-shops 50] [--workers 2]

Starts a throw-away PostgreSQL (or a fresh database on DATABASE_URL's server),
provisions N shops from the template (each with 200 rows in a bench table), then:
(a) no-op: `migrate_platform` with every shop current, against stock
`migrate_schemas` per shop on a sample; (b) additive: a nullable column and its
index built concurrently (two migrations), stock on the sample first, then
`migrate_platform` for the rest; (c) resume: a third migration, `migrate_platform`
killed (SIGKILL) once a third of the shops have it, then run again: every shop ends migrated, none
twice. Stock figures come from the sample and are scaled to N (it takes
≈0.2-0.5 s a shop). Targets: no-op ≤ 10 s and additive ≤ 120 s at 1,000 shops.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

TARGET_NOOP_S = 10.0
TARGET_ADDITIVE_S = 120.0
V2, V3 = "bench.migrate_app.migrations_v2", "bench.migrate_app.migrations_v3"


def provision(count: int, *, offset: int = 0) -> list[str]:
    """Shops straight from the template's script (the signup path without its seed data)."""
    from django.db import connection

    from pawpact.tenants.models import Domain, Shop
    from pawpact.tenants.services import shop_domain
    from pawpact.tenants.template import _replay

    schemas = []
    for i in range(offset, offset + count):
        schema = f"shop_fleet_{i:05d}"
        _replay(schema)
        shop = Shop.objects.create(schema_name=schema, name=f"Fleet {i}", slug=f"fleet-{i:05d}", state="active")
        Domain.objects.create(domain=shop_domain(f"fleet-{i:05d}"), tenant=shop, is_primary=True)
        schemas.append(schema)
    connection.set_schema_to_public()
    return schemas


def migrate_platform(migrations: str, workers: int, *, kill_when=None) -> float:
    """`manage.py migrate_platform` in its own process, as the release step runs it; seconds taken."""
    env = {**os.environ, "PAWPACT_BENCH_MIGRATIONS": migrations}
    args = [sys.executable, "manage.py", "migrate_platform", "--no-progress", f"--workers={workers}"]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    if kill_when is not None:
        while process.poll() is None and not kill_when():
            time.sleep(0.2)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return time.perf_counter() - started
    if process.wait() != 0:
        raise SystemExit(f"migrate_platform failed ({process.returncode})")
    return time.perf_counter() - started


def stock(schemas: list[str], migrations: str) -> float:
    """Stock django-tenants: `migrate_schemas` for each schema, one after another; seconds taken."""
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {"bench_migrate": migrations}
    started = time.perf_counter()
    for schema in schemas:
        call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    return time.perf_counter() - started


def at_template(schemas: list[str]) -> int:
    from pawpact.tenants.fleet import schema_fingerprints

    fingerprints = schema_fingerprints(["pawpact_template", *schemas])
    return sum(1 for s in schemas if fingerprints.get(s) == fingerprints["pawpact_template"])


def indexes(name: str) -> int:
    from bench.common import scalar

    return scalar("SELECT count(*) FROM pg_indexes WHERE indexname = %s AND schemaname LIKE 'shop_fleet_%%'", [name])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--stock-shops", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.migrate_settings"
    from bench.common import setup_django

    setup_django()
    n, sample = options.shops, min(options.stock_shops, options.shops)
    started = time.perf_counter()
    schemas = provision(n)
    provision_s = time.perf_counter() - started
    print(f"{n} shops provisioned in {provision_s:.1f} s ({n / provision_s:.1f} shops/s)")

    noop = migrate_platform("bench.migrate_app.migrations_v1", options.workers)
    noop_stock = stock(schemas[:sample], "bench.migrate_app.migrations_v1") * n / sample
    print(f"(a) no-op       migrate_platform {noop:7.1f} s   stock ≈{noop_stock:7.1f} s (scaled from {sample})"
          f"   ratio {noop / noop_stock:.3f}")  # fmt: skip

    stock_additive = stock(schemas[:sample], V2) * n / sample
    additive = migrate_platform(V2, options.workers)
    rest = n - sample
    print(f"(b) additive    migrate_platform {additive:7.1f} s for {rest} shops (≈{additive * n / max(rest, 1):.1f} s for {n})"
          f"   stock ≈{stock_additive:7.1f} s (scaled from {sample})   ratio {additive * n / max(rest, 1) / stock_additive:.3f}")  # fmt: skip
    print(f"    shops at the template: {at_template(schemas)}/{n}; tag index in {indexes('bench_note_tag_idx')}/{n}")

    def a_third_migrated() -> bool:
        from bench.common import scalar

        template_ready = scalar(
            "SELECT count(*) FROM pawpact_template.django_migrations WHERE app = 'bench_migrate' AND name = '0004_note_source'"
        )
        return bool(template_ready) and at_template(schemas) >= n // 3

    killed = migrate_platform(V3, options.workers, kill_when=a_third_migrated)
    done_before = at_template(schemas)
    resumed = migrate_platform(V3, options.workers)
    print(f"(c) resume      killed after {killed:.1f} s with {done_before}/{n} shops migrated; rerun {resumed:.1f} s;"
          f" shops at the template {at_template(schemas)}/{n}")  # fmt: skip

    checks = [
        (f"no-op ≤ {TARGET_NOOP_S:.0f} s at {n} shops", noop <= TARGET_NOOP_S * max(1.0, n / 1000)),
        (f"additive ≤ {TARGET_ADDITIVE_S:.0f} s at {n} shops", additive * n / max(rest, 1) <= TARGET_ADDITIVE_S * max(1.0, n / 1000)),
        ("killed mid-fleet, every shop migrated after the rerun", 0 < done_before < n and at_template(schemas) == n),
        ("every shop has the concurrently built index", indexes("bench_note_tag_idx") == n),
    ]  # fmt: skip
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
