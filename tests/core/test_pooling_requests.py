"""Requests and tasks through a real pgbouncer in transaction mode, as deployed: gunicorn
threads and tasks of two shops share one server connection, and each sees only its shop.

The web server and the task runner are processes of their own with the production
database settings (DATABASE_URL at pgbouncer, DATABASE_TRANSACTION_POOLING=1), so what
they read must be committed: each shop's first plan gets a marker in its name for the
module's duration, written over a direct connection and removed afterwards."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.db import connections

from tests.core.pgbouncer import PgBouncer, _free_port, pgbouncer_or_skip

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("shop_alpha", "shop_beta")
MARKERS = {schema: f" ({schema} marker)" for schema in SCHEMAS}


def _direct(database: dict) -> psycopg.Connection:
    return psycopg.connect(host=database["HOST"], port=database["PORT"] or 5432, dbname=database["NAME"],
                           user=database["USER"], password=database.get("PASSWORD") or None, autocommit=True)  # fmt: skip


@pytest.fixture(scope="module")
def deployed(django_db_setup, django_db_blocker):
    """pgbouncer (one server connection), the marked plans and the processes' environment."""
    pgbouncer_or_skip()
    with django_db_blocker.unblock():
        database = dict(connections["default"].settings_dict)
    bouncer = PgBouncer(database, pool_size=1)
    bouncer.start()
    with _direct(database) as direct:
        for schema, marker in MARKERS.items():
            direct.execute(f'UPDATE "{schema}".billing_plan SET name = name || %s, name_en = name_en || %s'
                           f' WHERE id = (SELECT min(id) FROM "{schema}".billing_plan WHERE is_active)', [marker, marker])  # fmt: skip
        hosts = dict(direct.execute("SELECT t.schema_name, d.domain FROM tenants_domain d JOIN tenants_shop t"
                                    " ON t.id = d.tenant_id WHERE d.is_primary AND t.schema_name = ANY(%s)",
                                    [list(SCHEMAS)]).fetchall())  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pawpact.config.settings.test", "DATABASE_TRANSACTION_POOLING": "1",
           "DATABASE_URL": f"postgres://{database['USER']}@127.0.0.1:{bouncer.port}/pooled"}  # fmt: skip
    try:
        yield {"bouncer": bouncer, "env": env, "hosts": hosts, "database": database}
    finally:
        with _direct(database) as direct:
            for schema, marker in MARKERS.items():
                direct.execute(f'UPDATE "{schema}".billing_plan SET name = replace(name, %s, \'\'),'
                               f' name_en = replace(name_en, %s, \'\')', [marker, marker])  # fmt: skip
        bouncer.remove()


@pytest.fixture(scope="module")
def web(deployed):
    """gunicorn as deployed (gthread workers), its database through pgbouncer."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pawpact.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=deployed["env"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.stderr.read()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz within a minute")


def _shop_front(port: int, host: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/shop/", headers={"Host": host, "Accept-Language": "en"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read().decode()


def _server_search_path(bouncer: PgBouncer, database: dict) -> str:
    with psycopg.connect(host="127.0.0.1", port=bouncer.port, dbname="pooled", user=database["USER"],
                         autocommit=True) as other:  # fmt: skip
        return other.execute("SHOW search_path").fetchone()[0]


def test_interleaved_requests_of_two_shops_each_see_only_their_own_shop(deployed, web):
    hosts = deployed["hosts"]
    calls = [schema for _ in range(30) for schema in SCHEMAS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(lambda schema: (schema, *_shop_front(web, hosts[schema])), calls))

    wrong = [(schema, status) for schema, status, body in pages
             if status != 200 or MARKERS[schema] not in body
             or any(marker in body for other, marker in MARKERS.items() if other != schema)]  # fmt: skip
    assert len(pages) == 60 and wrong == []
    assert _server_search_path(deployed["bouncer"], deployed["database"]) == '"$user", public'


def test_interleaved_tasks_of_two_shops_each_run_in_their_own_schema(deployed):
    finished = subprocess.run([sys.executable, str(ROOT / "tests/core/pooled_probe.py"), "20"], cwd=ROOT,
                              env={**deployed["env"], "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-3000:]
    runs = [json.loads(line) for line in finished.stdout.splitlines()]

    wrong = [run for run in runs
             if "error" in run or not any(MARKERS[run["sent_from"]] in name for name in run["saw"])
             or any(marker in name for name in run["saw"] for other, marker in MARKERS.items()
                    if other != run["sent_from"])]  # fmt: skip
    assert len(runs) == 120 and wrong == []
    assert _server_search_path(deployed["bouncer"], deployed["database"]) == '"$user", public'
