"""Probes and metrics, answered before the tenant lookup, on every host.

/healthz: the process answers (liveness: restart it if not). /readyz: the database,
Redis (where REDIS_URL is set) and the migrations (public schema and shop template at
the code's state) — a pod takes traffic only when all three hold. /metrics: Prometheus,
behind `PAWPACT_METRICS_TOKEN` when set (a bearer token the scraper sends).

Probes run on the web workers, so none may wait on a database that does not answer:
the database check opens its own connection and gives up after PROBE_SECONDS (a
server that is stopped never fires its own statement timeout).
"""
import hmac
import os
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from pawpact.config.metrics import FleetCollector, database_probe
from pawpact.tenants.fleet import schema_plan_length

_PATHS = ("/healthz", "/readyz", "/metrics")
# Once a process saw its migrations applied they stay applied for its lifetime (a new
# release is a new process); until then every probe looks again.
_migrations_current = False


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path not in _PATHS:
            return self.get_response(request)
        if path == "/healthz":
            return JsonResponse({"status": "ok"})
        if path == "/readyz":
            return readiness()
        return metrics(request)


def readiness() -> JsonResponse:
    checks = {"database": _check(_database), "redis": _check(_redis)}
    # Django's own connection has no client-side timeout: read the migrations only from a database that answers.
    checks["migrations"] = _check(_migrations) if checks["database"] == "ok" else "skipped: database not ready"
    ready = all(result == "ok" or result == "not used" for result in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def _check(probe) -> str:
    try:
        return probe()
    except Exception as error:  # noqa: BLE001 - the probe reports what failed instead of failing itself
        return f"failed: {type(error).__name__}: {error}"[:300]


def _database() -> str:
    database_probe()
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _migrations() -> str:
    global _migrations_current
    if _migrations_current:
        return "ok"
    connection.set_schema_to_public()
    pending = {
        "public": schema_plan_length("public", shared=True),
        settings.PAWPACT_TEMPLATE_SCHEMA: schema_plan_length(settings.PAWPACT_TEMPLATE_SCHEMA),
    }
    behind = {schema: n for schema, n in pending.items() if n}
    if behind:
        return "failed: migrations pending: " + ", ".join(f"{s} {n}" for s, n in behind.items())
    _migrations_current = True
    return "ok"


def metrics(request) -> HttpResponse:
    token = getattr(settings, "PAWPACT_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"code": "not_authenticated", "message": "A metrics token is required.", "fields": {}}, status=401)
    started = time.perf_counter()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The processes' files hold the counters; the fleet figures are read here, once.
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(FleetCollector())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["X-Scrape-Seconds"] = f"{time.perf_counter() - started:.3f}"
    return response
