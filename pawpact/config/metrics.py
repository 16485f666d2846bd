"""Prometheus metrics beyond django-prometheus's per-view request latency.

Read at scrape time (web): the Celery queue length (Redis) and the outbox lag
(ShopDrainState, PlatformEvent). Recorded by the worker (task signals): task run
time and the time a task waited in the queue per task name, and the debit run's
progress (shops fanned out by the last dispatch, shops finished since). A worker
serves its own metrics on PAWPACT_METRICS_PORT; with PROMETHEUS_MULTIPROC_DIR set,
every process of a host writes to one shared registry (gunicorn workers, Celery's
pool).

A scrape never fails for one source: a collector whose Redis or database does not
answer is left out and counted in pawpact_metrics_collector_up (0), the rest served.
"""
import os
import select
import time

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

DEBIT_RUN_DISPATCH = "billing.debit_run_dispatch"
DEBIT_RUN_SHOP = "billing.debit_run_shop"
QUEUES = ("celery",)
# How long a probe or scrape waits for the database or Redis before reporting it down.
PROBE_SECONDS = 2.0
# The statement the database probe runs (tests swap in a slow one).
PROBE_SQL = "SELECT 1"

TASK_SECONDS = Histogram("pawpact_celery_task_seconds", "Time a Celery task ran", ["task"])
TASK_WAIT_SECONDS = Histogram("pawpact_celery_task_wait_seconds", "Time a Celery task waited in the queue", ["task"])
TASKS = Counter("pawpact_celery_tasks", "Celery tasks finished", ["task", "state"])
DEBIT_RUN_SHOPS_DISPATCHED = Gauge(
    "pawpact_debit_run_shops_dispatched", "Shops the last debit run fanned out to", multiprocess_mode="max"
)
DEBIT_RUN_SHOPS_FINISHED = Counter("pawpact_debit_run_shops_finished", "Shops whose debit run finished", ["state"])
_started: dict[str, float] = {}


class FleetCollector(Collector):
    """Queue length, outbox lag and shops in maintenance, read when Prometheus scrapes."""

    def describe(self):
        # Registration asks for the names; answering without a scrape keeps startup free of I/O.
        yield GaugeMetricFamily("pawpact_celery_queue_length", "", labels=["queue"])
        yield GaugeMetricFamily("pawpact_metrics_collector_up", "", labels=["collector"])
        for name in ("pawpact_outbox_oldest_pending_seconds", "pawpact_outbox_pending_events",
                     "pawpact_outbox_unapplied_events", "pawpact_shops_in_maintenance"):  # fmt: skip
            yield GaugeMetricFamily(name, "")

    def collect(self):
        up = GaugeMetricFamily(
            "pawpact_metrics_collector_up", "1 when a collector's source answered this scrape, else 0", labels=["collector"]
        )
        yield from _guarded(up, "queue", _queue_families)
        database = _guarded(up, "database", _database_probe_family)
        yield from database
        if database:
            yield from _guarded(up, "outbox", _outbox_families)
            yield from _guarded(up, "shops", _shop_families)
        yield up


def _guarded(up: GaugeMetricFamily, name: str, collect) -> list:
    try:
        families = list(collect())
    except Exception:  # noqa: BLE001 - a source that is down is reported, never a failed scrape
        up.add_metric([name], 0)
        return []
    up.add_metric([name], 1)
    return families


def _database_probe_family():
    database_probe()
    return [GaugeMetricFamily("pawpact_database_up", "1 when the database answered the scrape's probe", value=1)]


def _queue_families():
    queue = GaugeMetricFamily("pawpact_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
    for name, length in queue_lengths().items():
        queue.add_metric([name], length)
    return [queue]


def _outbox_families():
    lag = outbox_lag()
    return [
        GaugeMetricFamily("pawpact_outbox_oldest_pending_seconds", "Age of the oldest outbox event not yet drained", value=lag["age"]),
        GaugeMetricFamily("pawpact_outbox_pending_events", "Outbox events not yet drained", value=lag["pending"]),
        GaugeMetricFamily("pawpact_outbox_unapplied_events", "Drained events the platform has not applied", value=lag["unapplied"]),
    ]


def _shop_families():
    from django.apps import apps

    failed = apps.get_model("tenants", "Shop").objects.exclude(migration_error="").count()
    return [GaugeMetricFamily("pawpact_shops_in_maintenance", "Shops behind a maintenance page (their schema migration failed)", value=failed)]


def database_probe(timeout: float | None = None) -> None:
    """Run PROBE_SQL on a connection of its own; raise when the database does not answer in `timeout` seconds.

    libpq's asynchronous calls let the wait end on the client's clock: a stopped
    server neither answers nor fires its statement_timeout. The connection is closed
    after the answer or the timeout, whichever comes first.
    """
    import psycopg
    from django.db import connection

    timeout = PROBE_SECONDS if timeout is None else timeout
    db = connection.settings_dict
    params = {"host": db.get("HOST"), "port": db.get("PORT"), "dbname": db.get("NAME"), "user": db.get("USER"),
              "password": db.get("PASSWORD")}  # fmt: skip
    # No `options` startup parameter (a statement_timeout there): pgbouncer refuses it.
    conn = psycopg.Connection.connect(
        **{k: v for k, v in params.items() if v}, connect_timeout=max(1, round(timeout)), autocommit=True
    )
    try:
        pgconn, deadline = conn.pgconn, time.monotonic() + timeout
        pgconn.send_query(PROBE_SQL.encode())
        while pgconn.flush() or pgconn.is_busy():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([pgconn.socket], [], [], remaining)[0]:
                raise TimeoutError(f"the database did not answer within {timeout:g} s")
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None or result.error_message:
            raise RuntimeError((result.error_message.decode() if result else "no result").strip())
    finally:
        conn.close()


def queue_lengths() -> dict[str, int]:
    from django.conf import settings

    if not settings.REDIS_URL:
        return {}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=PROBE_SECONDS, socket_connect_timeout=PROBE_SECONDS)
    try:
        return {name: client.llen(name) for name in QUEUES}
    finally:
        client.close()


def outbox_lag() -> dict[str, float]:
    from django.apps import apps
    from django.db import connection
    from django.db.models import Min, Sum
    from django.utils import timezone

    # Looked up by name: this module is imported before the app registry is ready.
    PlatformEvent, ShopDrainState = apps.get_model("platform", "PlatformEvent"), apps.get_model("platform", "ShopDrainState")
    connection.set_schema_to_public()
    drain = ShopDrainState.objects.aggregate(pending=Sum("pending_count"), oldest=Min("oldest_pending_at"))
    oldest = drain["oldest"]
    return {
        "pending": drain["pending"] or 0,
        "age": max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0,
        "unapplied": PlatformEvent.objects.filter(applied_at__isnull=True).count(),
    }


def collector_register() -> None:
    if not any(isinstance(c, FleetCollector) for c in list(REGISTRY._collector_to_names)):
        REGISTRY.register(FleetCollector())
    _migration_gauges_drop()


def _migration_gauges_drop() -> None:
    """django-prometheus declares migration gauges it fills only for one schema at startup;
    per-shop migration failures are what pawpact_shops_in_maintenance reports."""
    from django_prometheus import migrations

    for gauge in (migrations.applied_migrations, migrations.unapplied_migrations):
        if gauge in REGISTRY._collector_to_names:
            REGISTRY.unregister(gauge)


def task_started(task_id: str, task_name: str, sent_at: float | None) -> None:
    _started[task_id] = time.monotonic()
    if sent_at:
        TASK_WAIT_SECONDS.labels(task_name).observe(max(time.time() - sent_at, 0.0))


def task_finished(task_id: str, task_name: str, state: str, retval=None) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(task_name).observe(time.monotonic() - started)
    TASKS.labels(task_name, state).inc()
    if task_name == DEBIT_RUN_DISPATCH and isinstance(retval, int) and state == "SUCCESS":
        DEBIT_RUN_SHOPS_DISPATCHED.set(retval)
    elif task_name == DEBIT_RUN_SHOP:
        DEBIT_RUN_SHOPS_FINISHED.labels(state).inc()


def worker_metrics_serve() -> int | None:
    """The worker's own /metrics, on PAWPACT_METRICS_PORT (none when unset)."""
    port = os.environ.get("PAWPACT_METRICS_PORT")
    if not port:
        return None
    from prometheus_client import CollectorRegistry, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), registry=registry)
    return int(port)
