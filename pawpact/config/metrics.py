"""Prometheus metrics beyond django-prometheus's per-view request latency.

Read at scrape time (web): the Celery queue length (Redis) and the outbox lag
(ShopDrainState, PlatformEvent). Recorded by the worker (task signals): task run
time and the time a task waited in the queue per task name, and the debit run's
progress (shops fanned out by the last dispatch, shops finished since). A worker
serves its own metrics on PAWPACT_METRICS_PORT; with PROMETHEUS_MULTIPROC_DIR set,
every process of a host writes to one shared registry (gunicorn workers, Celery's
pool).
"""
import os
import time

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

DEBIT_RUN_DISPATCH = "billing.debit_run_dispatch"
DEBIT_RUN_SHOP = "billing.debit_run_shop"
QUEUES = ("celery",)

TASK_SECONDS = Histogram("pawpact_celery_task_seconds", "Time a Celery task ran", ["task"])
TASK_WAIT_SECONDS = Histogram("pawpact_celery_task_wait_seconds", "Time a Celery task waited in the queue", ["task"])
TASKS = Counter("pawpact_celery_tasks", "Celery tasks finished", ["task", "state"])
DEBIT_RUN_SHOPS_DISPATCHED = Gauge(
    "pawpact_debit_run_shops_dispatched", "Shops the last debit run fanned out to", multiprocess_mode="max"
)
DEBIT_RUN_SHOPS_FINISHED = Counter("pawpact_debit_run_shops_finished", "Shops whose debit run finished", ["state"])
_started: dict[str, float] = {}


class FleetCollector(Collector):
    """Queue length and outbox lag, read when Prometheus scrapes (one Redis call, two queries)."""

    def describe(self):
        # Registration asks for the names; answering without a scrape keeps startup free of I/O.
        yield GaugeMetricFamily("pawpact_celery_queue_length", "", labels=["queue"])
        for name in ("pawpact_outbox_oldest_pending_seconds", "pawpact_outbox_pending_events",
                     "pawpact_outbox_unapplied_events"):  # fmt: skip
            yield GaugeMetricFamily(name, "")

    def collect(self):
        queue = GaugeMetricFamily("pawpact_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        for name, length in queue_lengths().items():
            queue.add_metric([name], length)
        yield queue
        lag = outbox_lag()
        yield GaugeMetricFamily(
            "pawpact_outbox_oldest_pending_seconds", "Age of the oldest outbox event not yet drained", value=lag["age"]
        )
        yield GaugeMetricFamily("pawpact_outbox_pending_events", "Outbox events not yet drained", value=lag["pending"])
        yield GaugeMetricFamily(
            "pawpact_outbox_unapplied_events", "Drained events the platform has not applied", value=lag["unapplied"]
        )


def queue_lengths() -> dict[str, int]:
    from django.conf import settings

    if not settings.REDIS_URL:
        return {}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
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
