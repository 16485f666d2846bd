"""/healthz, /readyz and /metrics: on every host, before any tenant lookup."""
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY

from pawpact.config import health, metrics


@pytest.fixture
def fresh_readiness(monkeypatch):
    monkeypatch.setattr(health, "_migrations_current", False)


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost", "no-such-shop.localhost"])
def test_healthz_answers_on_every_host_without_a_tenant(db, host):
    response = Client(HTTP_HOST=host).get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_readyz_checks_database_redis_and_migrations(db, shop, host, fresh_readiness):
    response = Client(HTTP_HOST=host).get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "not used", "migrations": "ok"},
    }


def test_readyz_is_not_ready_while_the_template_lacks_a_migration(db, fresh_readiness):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pawpact_template.django_migrations WHERE app = 'messaging' AND name >= '0003'")

    response = Client(HTTP_HOST="localhost").get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("failed: migrations pending: pawpact_template ")


def test_readyz_names_an_unreachable_redis(db, settings, fresh_readiness):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = Client(HTTP_HOST="localhost").get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("failed: ConnectionError")
    assert response.json()["checks"]["migrations"] == "ok"


def test_readyz_names_a_database_that_does_not_answer(db, monkeypatch, fresh_readiness):
    def broken():
        raise health.__dict__.get("OperationalError", RuntimeError)("connection refused")

    monkeypatch.setattr(health, "_database", broken)

    response = Client(HTTP_HOST="alpha.localhost").get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed: RuntimeError: connection refused"


def test_metrics_expose_route_latency_queue_and_outbox_lag(db, shop):
    assert Client(HTTP_HOST="alpha.localhost").get("/accounts/login/").status_code == 200

    text = Client(HTTP_HOST="localhost").get("/metrics").content.decode()

    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="account_login"}' in text
    assert "pawpact_outbox_pending_events" in text and "pawpact_outbox_unapplied_events" in text


def test_metrics_ask_for_the_token_when_one_is_set(db, settings):
    settings.PAWPACT_METRICS_TOKEN = "s3cret"

    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 401
    wrong = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer nope").get("/metrics")
    assert wrong.status_code == 401 and wrong.json()["code"] == "not_authenticated"
    assert Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer s3cret").get("/metrics").status_code == 200


def test_task_signals_record_latency_and_debit_run_progress(db):
    def value(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0

    finished_before = value("pawpact_debit_run_shops_finished_total", state="SUCCESS")
    runs_before = value("pawpact_celery_task_seconds_count", task="billing.debit_run_shop")

    metrics.task_finished("dispatch-1", metrics.DEBIT_RUN_DISPATCH, "SUCCESS", 12)
    for i in range(3):
        metrics.task_started(f"shop-{i}", metrics.DEBIT_RUN_SHOP, None)
        metrics.task_finished(f"shop-{i}", metrics.DEBIT_RUN_SHOP, "SUCCESS")

    assert value("pawpact_debit_run_shops_dispatched") == 12
    assert value("pawpact_debit_run_shops_finished_total", state="SUCCESS") == finished_before + 3
    assert value("pawpact_celery_task_seconds_count", task="billing.debit_run_shop") == runs_before + 3


def test_metrics_with_a_multiprocess_folder_still_carry_the_fleet_figures(db, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    response = Client(HTTP_HOST="localhost").get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert "pawpact_outbox_pending_events 0.0" in text and "pawpact_outbox_unapplied_events 0.0" in text


@pytest.fixture
def slow_database(monkeypatch):
    """A database that takes longer than the probe waits (pg_sleep on the real server)."""
    monkeypatch.setattr(metrics, "PROBE_SQL", "SELECT pg_sleep(5)")
    monkeypatch.setattr(metrics, "PROBE_SECONDS", 0.5)


def test_readyz_answers_503_quickly_when_the_database_does_not_answer(db, slow_database, fresh_readiness):
    started = time.monotonic()
    response = Client(HTTP_HOST="localhost").get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503 and elapsed < 2.5
    checks = response.json()["checks"]
    assert checks["database"] == "failed: TimeoutError: the database did not answer within 0.5 s"
    assert checks["migrations"] == "skipped: database not ready"


def test_metrics_serve_the_rest_when_redis_is_unreachable(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = Client(HTTP_HOST="localhost").get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'pawpact_metrics_collector_up{collector="queue"} 0.0' in text
    assert 'pawpact_metrics_collector_up{collector="outbox"} 1.0' in text
    assert "pawpact_celery_queue_length{" not in text
    assert "pawpact_outbox_pending_events 0.0" in text and "pawpact_shops_in_maintenance 0.0" in text


def test_metrics_skip_the_database_figures_quickly_when_it_does_not_answer(db, slow_database):
    started = time.monotonic()
    response = Client(HTTP_HOST="localhost").get("/metrics")

    assert response.status_code == 200 and time.monotonic() - started < 2.5
    text = response.content.decode()
    assert 'pawpact_metrics_collector_up{collector="database"} 0.0' in text
    assert "pawpact_outbox_pending_events 0" not in text and "pawpact_shops_in_maintenance 0" not in text
    assert "django_http_requests_latency_seconds_by_view_method" in text


def test_metrics_count_shops_behind_a_failed_migration(db, shop, other_shop):
    shop.migration_error = "relation already exists"
    shop.migration_failed_at = timezone.now()
    shop.save(update_fields=["migration_error", "migration_failed_at"])

    text = Client(HTTP_HOST="localhost").get("/metrics").content.decode()

    assert "pawpact_shops_in_maintenance 1.0" in text and "pawpact_shop_migrations_failed" not in text
    assert "django_migrations_applied_total" not in text and "django_migrations_unapplied_total" not in text
