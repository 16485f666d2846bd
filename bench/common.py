"""What every benchmark needs: its own database, Django set up on it, shops, timed runs."""
import atexit
import io
import multiprocessing
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pawpact.core.gc_tuning import startup_objects_freeze


def database_url() -> str:
    """A fresh database: on DATABASE_URL's server if set, else on a throw-away embedded one."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        from pawpact.config.embedded import postgres_start

        folder = tempfile.mkdtemp(prefix="pawpact-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # runs after the server is deleted
        return postgres_start(Path(folder) / "pgdata", database="pawpact_bench", throwaway=True)
    import dj_database_url
    import psycopg

    name = f"pawpact_bench_{uuid.uuid4().hex[:8]}"
    db = dj_database_url.parse(url)
    params = dict(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"])
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def setup_django(*, database: str | None = None, **env_defaults: str) -> None:
    """Django on a fresh database (or the one at `database`), production-like (no query
    log), platform migrated."""
    os.environ["DATABASE_URL"] = database or database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name, value in env_defaults.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_platform", verbosity=0, stdout=io.StringIO())
    # As the web and worker processes do once loaded (pawpact.config.gunicorn, celery).
    startup_objects_freeze()


def shops_provision(prefix: str, count: int, owner) -> list[str]:
    from pawpact.tenants.services import shop_provision

    return [
        shop_provision(name=f"Bench {prefix} {i}", slug=f"{prefix}-{i:04d}", owner=owner).schema_name
        for i in range(count)
    ]


def scalar(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] or 0


def total(reports: list[dict]) -> dict:
    keys = reports[0].keys() if reports else ()
    return {key: sum(report[key] for report in reports) for key in keys}


def timed_runs(function, schemas: list[str], workers: int) -> tuple[float, dict]:
    """Run `function` per shop, in `workers` forked processes (each with its own connection)."""
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's socket
    start = time.perf_counter()
    if workers <= 1:
        reports = [function(schema) for schema in schemas]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            reports = pool.map(function, schemas, chunksize=1)
    return time.perf_counter() - start, total(reports)


def active_contracts_seed(schema: str, contracts: int, *, first_due_in_days: int, scope: str) -> None:
    """`contracts` ACTIVE 12-period contracts on the sandbox rail, period 1 due in
    `first_due_in_days` days. Bulk inserts; the calendar rows in one INSERT … SELECT."""
    from datetime import date, timedelta

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from pawpact.billing.models import Contract, PaymentMethod, Plan, PlanVersion
    from pawpact.billing.services.calendar import calendar_due_dates
    from pawpact.customers.models import Customer, Pet
    from pawpact.payments.policies import debit_not_before, policy_for

    first_due = timezone.localdate() + timedelta(days=first_due_in_days)
    now = timezone.now()
    with schema_context(schema):
        plan = Plan.objects.create(code="bench-basic", name="Bench basic")
        version = PlanVersion.objects.create(
            plan=plan, version=1, monthly_price_minor=39_900, periods=12, debit_day=15, scope_of_use=scope,
            deposit_minor=50_000, penalty_rate="0.100", cooling_off_days=7,
        )  # fmt: skip
        customers = Customer.objects.bulk_create(
            Customer(name=f"Customer {i}", phone=f"+86139{i:08d}", birth_date=date(1995, 5, 5), created_at=now)
            for i in range(contracts)
        )
        pets = Pet.objects.bulk_create(
            Pet(owner=customer, name=f"Pet {i}", species="cat", created_at=now) for i, customer in enumerate(customers)
        )
        methods = PaymentMethod.objects.bulk_create(
            PaymentMethod(customer=customer, rail="sandbox", token=f"tok_success.{customer.uuid.hex[:16]}",
                          label="Sandbox · success", created_at=now)
            for customer in customers
        )  # fmt: skip
        rows = Contract.objects.bulk_create(
            Contract(
                customer=customer, pet=pet, plan_version=version, status="active", currency="CNY",
                monthly_amount_minor=39_900, periods=12, total_minor=12 * 39_900, deposit_status="waived",
                payment_method=method, signed_at=now, activated_at=now, created_at=now,
            )
            for customer, pet, method in zip(customers, pets, methods, strict=True)
        )  # fmt: skip
        policy = policy_for("sandbox")
        calendar = [
            (number, due, debit_not_before(due_date=due, policy=policy))
            for number, due in enumerate(calendar_due_dates(first_due_date=first_due, debit_day=15, periods=12), 1)
        ]
        values = ", ".join(["(%s, %s::date, %s::timestamptz)"] * len(calendar))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO billing_debitperiod"
                " (contract_id, number, due_date, amount_minor, currency, status, not_before, deposit_applied_minor)"
                f" SELECT c.id, v.number, v.due_date, c.monthly_amount_minor, c.currency, 'scheduled', v.not_before, 0"
                f" FROM billing_contract c CROSS JOIN (VALUES {values}) AS v(number, due_date, not_before)"
                " WHERE c.id BETWEEN %s AND %s",
                [value for row in calendar for value in row] + [rows[0].pk, rows[-1].pk],
            )
            # Fresh tables have no statistics; autovacuum would soon gather them in production.
            cursor.execute("ANALYZE")


def shops_seed(prefix: str, shops: int, contracts: int, owner, *, first_due_in_days: int, scope: str) -> list[str]:
    schemas = shops_provision(prefix, shops, owner)
    for schema in schemas:
        active_contracts_seed(schema, contracts, first_due_in_days=first_due_in_days, scope=scope)
    return schemas
