import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.config.celery import app
from pawpact.config.embedded import redis_start
from pawpact.config.postgres_broker import postgres_broker_url
from pawpact.config.services_select import HIDE_LOCAL_REDIS, local_redis_server
from pawpact.core.tasks import WrongSchema
from tests.core import probe_tasks

ROOT = Path(__file__).resolve().parents[2]


def test_a_task_runs_in_the_schema_of_the_shop_that_sent_it(shop, other_shop):
    with schema_context(shop.schema_name):
        assert probe_tasks.probe_tenant.delay().get() == ["shop_alpha", ["owner@alpha.test"]]
    with schema_context(other_shop.schema_name):
        assert probe_tasks.probe_tenant.delay().get() == ["shop_beta", ["owner@beta.test"]]
    assert connection.schema_name == "public"


def test_the_schema_named_in_the_message_header_wins(shop):
    result = probe_tasks.probe_tenant.apply_async(headers={"_schema_name": "shop_beta"})
    assert result.get() == ["shop_beta", ["owner@beta.test"]]


def test_tenant_tasks_refuse_to_run_in_the_public_schema(db):
    with pytest.raises(WrongSchema, match="must run in a shop schema"):
        probe_tasks.probe_tenant.delay()


def test_public_tasks_refuse_to_run_in_a_shop_schema(shop):
    assert probe_tasks.probe_public.delay().get() == "public"
    with schema_context(shop.schema_name), pytest.raises(WrongSchema, match="must run in the public schema"):
        probe_tasks.probe_public.delay()


def test_a_real_worker_over_redis_runs_each_task_in_its_senders_schema(shop, other_shop):
    """Through the broker and a worker process: the schema rides in the message header."""
    server = local_redis_server()
    if server is None:
        pytest.skip("no redis-server here (none bundled for this Python, none on the PATH)")
    redis, url = redis_start(server[0])
    try:
        _assert_a_worker_runs_tasks_in_their_senders_schemas(
            shop, other_shop, broker=url, result_backend=url, env={"REDIS_URL": url}
        )
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def test_a_real_worker_over_postgresql_runs_each_task_in_its_senders_schema(shop, other_shop):
    """The run command's broker where no Redis exists: kombu's SQLAlchemy transport on the
    same database. The worker finds it from its settings alone (REDIS_URL unset)."""
    db = settings.DATABASES["default"]
    broker = postgres_broker_url(db)
    assert broker.startswith("sqla+postgresql+psycopg://")
    results = "db+" + broker.removeprefix("sqla+")  # Celery's SQLAlchemy result backend, same database
    try:
        _assert_a_worker_runs_tasks_in_their_senders_schemas(
            shop, other_shop, broker=broker, result_backend=results, env={HIDE_LOCAL_REDIS: "1"}
        )
    finally:
        # Kombu keeps one engine per URL for the process's life; its pooled connections
        # would keep the test database from being dropped at the end of the session.
        from kombu.transport.sqlalchemy import Channel

        while Channel._engines:
            Channel._engines.popitem()[1][0].dispose()


def _assert_a_worker_runs_tasks_in_their_senders_schemas(shop, other_shop, *, broker, result_backend, env):
    worker = _start_worker(result_backend, env)
    _configure(task_always_eager=False, result_backend=result_backend)
    try:
        with app.connection_for_write(broker) as connection_, connection_.Producer() as producer:
            with schema_context(shop.schema_name):
                first = probe_tasks.probe_tenant.apply_async(producer=producer)
            with schema_context(other_shop.schema_name):
                second = probe_tasks.probe_tenant.apply_async(producer=producer)
        assert first.get(timeout=60) == ["shop_alpha", ["owner@alpha.test"]]
        assert second.get(timeout=60) == ["shop_beta", ["owner@beta.test"]]
    finally:
        _configure(task_always_eager=True, result_backend=None)
        worker.terminate()
        worker.wait(timeout=20)


def _configure(**conf) -> None:
    """Switch eager mode and the result backend; the app caches its backend per thread."""
    app.conf.update(**conf)
    app._local.__dict__.pop("backend", None)


def _start_worker(result_backend: str, env: dict[str, str]) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "pawpact.config.settings.test",
        # The test database, which holds the session's committed shops.
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}/{db['NAME']}",
        **env,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "pawpact.config.celery",
        "--result-backend", result_backend, "worker", "--pool=solo", "--include=tests.core.probe_tasks",
        "--without-mingle", "--without-gossip", "--loglevel=WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)
