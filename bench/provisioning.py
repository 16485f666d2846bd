"""Shop provisioning: our signup path (A: a spare schema renamed into place; A': the
template's script replayed when no spare is left) against stock django-tenants
migrations (B).

    python -m bench.provisioning [--shops 200] [--migration-shops N]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh
database on that server, dropped at exit), migrates the platform, fills the spares
(untimed, as beat does between signups), then creates shops on the three paths in
alternating order and prints p50/p95/max per path, the ratios, PASS/FAIL against
the targets, and whether the paths give identical schemas and seed rows. Exits
non-zero if a target fails or the schemas differ.
"""
import argparse
import difflib
import io
import os
import statistics
import sys
import time

from bench.common import database_url

TARGET_P95_MS = 150
TARGET_RATIO = 0.25


def provision_template(index: int, owner) -> str:
    """The signup path: a spare schema renamed into place (spares are filled before timing)."""
    from pawpact.tenants.services import shop_provision

    return shop_provision(name=f"Template shop {index}", slug=f"tpl-{index:04d}", owner=owner).schema_name


def provision_replay(index: int, owner) -> str:
    """The same path with no spare left: the template's script replayed under the new name."""
    from pawpact.tenants import services, template
    from pawpact.tenants.services import shop_provision

    services.schema_create_from_template = template._replay
    try:
        return shop_provision(name=f"Replay shop {index}", slug=f"rep-{index:04d}", owner=owner).schema_name
    finally:
        services.schema_create_from_template = template.schema_create_from_template


def provision_migrations(index: int, owner) -> str:
    """The stock django-tenants path: Shop row, create_schema (runs migrate_schemas), Domain row."""
    from django.db import connection

    from pawpact.tenants.models import Domain, Shop
    from pawpact.tenants.services import shop_domain

    slug = f"mig-{index:04d}"
    shop = Shop.objects.create(schema_name=f"shop_mig_{index:04d}", name=f"Migrated shop {index}",
                               slug=slug, owner=owner, state="active")  # fmt: skip
    shop.create_schema(check_if_exists=True, verbosity=0)
    Domain.objects.create(domain=shop_domain(slug), tenant=shop, is_primary=True)
    connection.set_schema_to_public()
    return shop.schema_name


def timed(function, *args) -> tuple[float, str]:
    start = time.perf_counter()
    schema = function(*args)
    return (time.perf_counter() - start) * 1000, schema


def summary(label: str, times: list[float]) -> dict:
    stats = {
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0],
        "max": max(times),
    }
    print(f"{label:<22} n={len(times):<4} p50={stats['p50']:7.1f} ms  p95={stats['p95']:7.1f} ms  max={stats['max']:7.1f} ms")
    return stats


def schema_differences(schema_a: str, schema_b: str) -> list[str]:
    """Unified diff of the two schemas' DDL and their seed rows; empty if identical."""
    from django.db import connection

    from pawpact.tenants.template import dump_schema

    def ddl(schema):
        return dump_schema(schema, schema_only=True).replace(f'"{schema}"', '"<schema>"').splitlines()

    def seeds(schema):
        queries = {
            "django_migrations": f'SELECT app, name FROM "{schema}".django_migrations',
            "django_content_type": f'SELECT app_label, model FROM "{schema}".django_content_type',
            "auth_permission": f'SELECT codename, count(*) FROM "{schema}".auth_permission GROUP BY codename',
        }
        lines = []
        with connection.cursor() as cursor:
            for table, sql in queries.items():
                cursor.execute(sql)
                lines += [f"{table}: {row}" for row in sorted(cursor.fetchall())]
        return lines

    diff = []
    for part in (ddl, seeds):
        diff += list(difflib.unified_diff(part(schema_a), part(schema_b), schema_a, schema_b, lineterm="", n=1))
    return diff


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=200, help="shops on our template path (A)")
    parser.add_argument("--migration-shops", type=int, default=None, help="shops on the migrations path (B); default --shops")
    args = parser.parse_args()
    count_a = args.shops
    count_b = args.shops if args.migration_shops is None else args.migration_shops
    if min(count_a, count_b) < 1:
        parser.error("each path needs at least one shop")

    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # production-like: no query log
    import django

    django.setup()
    from django.core.management import call_command

    from pawpact.accounts.models import User

    call_command("migrate_platform", verbosity=0, stdout=io.StringIO())
    owner = User.objects.create_user("owner@bench.test", "bench-password-123", name="Bench owner")

    # One untimed shop per path warms caches (the template script, the migration graph's imports).
    provision_template(0, owner)
    provision_replay(0, owner)
    provision_migrations(0, owner)
    from pawpact.tenants.template import spare_schemas_fill

    spare_schemas_fill(count=count_a)  # what beat keeps topped up between signups; not timed
    times_a, times_r, times_b, schemas_a, schemas_r, schemas_b = [], [], [], [], [], []
    for index in range(1, max(count_a, count_b) + 1):
        if index <= count_a:
            elapsed, schema = timed(provision_template, index, owner)
            times_a.append(elapsed)
            schemas_a.append(schema)
            elapsed, schema = timed(provision_replay, index, owner)
            times_r.append(elapsed)
            schemas_r.append(schema)
        if index <= count_b:
            elapsed, schema = timed(provision_migrations, index, owner)
            times_b.append(elapsed)
            schemas_b.append(schema)

    print("Shop provisioning, paths alternating, after one untimed warm-up shop per path")
    a = summary("A spare (signup path)", times_a)
    r = summary("A' replay (no spare)", times_r)
    b = summary("B migrations (stock)", times_b)
    print(f"ratio p95(A)/p95(B) = {a['p95'] / b['p95']:.3f}   p50(A)/p50(B) = {a['p50'] / b['p50']:.3f}")
    print(f"ratio p95(A')/p95(B) = {r['p95'] / b['p95']:.3f}   p50(A')/p50(B) = {r['p50'] / b['p50']:.3f}")
    checks = {
        f"p95(A) <= {TARGET_P95_MS} ms": a["p95"] <= TARGET_P95_MS,
        f"p95(A) <= {TARGET_RATIO} x p95(B)": a["p95"] <= TARGET_RATIO * b["p95"],
        f"p95(A') <= {TARGET_RATIO} x p95(B) (no spare left)": r["p95"] <= TARGET_RATIO * b["p95"],
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")

    diff = schema_differences(schemas_a[0], schemas_b[0]) + schema_differences(schemas_r[0], schemas_b[0])
    if diff:
        print(f"schemas identical: no ({schemas_a[0]}, {schemas_r[0]} vs {schemas_b[0]})")
        print("\n".join(diff[:60]))
    else:
        print(f"schemas identical: yes ({schemas_a[0]}, {schemas_r[0]} vs {schemas_b[0]}: DDL and seed rows)")
    return 0 if all(checks.values()) and not diff else 1


if __name__ == "__main__":
    sys.exit(main())
