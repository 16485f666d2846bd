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


def setup_django(**env_defaults: str) -> None:
    """Django on a fresh database, production-like (no query log), platform migrated."""
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name, value in env_defaults.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_platform", verbosity=0, stdout=io.StringIO())


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
