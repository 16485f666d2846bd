"""The cache where no Redis runs: Django's database cache, one table in the public schema,
keys still per shop; the token throttle and Idempotency-Key replays work through it."""
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.config.postgres_broker import CACHE_TABLE
from pawpact.core.cache import database_cache_tables_create
from tests.conftest import SHOP_PASSWORD, host_of

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "pawpact" / "config" / "settings" / "base.py"


def settings_without_redis(monkeypatch):
    """base.py as every process of the run command reads it when no Redis was found."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    spec = importlib.util.spec_from_file_location("base_settings_without_redis", BASE_SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database_cache(db, settings, monkeypatch):
    fallback = settings_without_redis(monkeypatch)
    assert fallback.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    settings.CACHES = fallback.CACHES
    assert database_cache_tables_create() == [CACHE_TABLE]
    return cache


def cache_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {CACHE_TABLE} ORDER BY cache_key")
        return [key for (key,) in cursor.fetchall()]


def test_the_cache_table_is_one_table_in_the_public_schema(database_cache):
    assert database_cache_tables_create() == [CACHE_TABLE]  # a second run changes nothing
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'pawpact_cache'")
        assert cursor.fetchall() == [("public",)]


def test_without_redis_the_settings_put_the_broker_on_the_same_database(monkeypatch):
    fallback = settings_without_redis(monkeypatch)
    database = fallback.DATABASES["default"]
    assert fallback.CELERY_BROKER_URL.startswith("sqla+postgresql+psycopg://")
    assert f"/{database['NAME']}" in fallback.CELERY_BROKER_URL


def test_cache_keys_stay_per_schema_in_the_shared_table(database_cache, shop, other_shop):
    with schema_context(shop.schema_name):
        database_cache.set("greeting", "alpha")
    with schema_context(other_shop.schema_name):
        assert database_cache.get("greeting") is None
        database_cache.set("greeting", "beta")
    with schema_context(shop.schema_name):
        assert database_cache.get("greeting") == "alpha"
    assert database_cache.get("greeting") is None
    assert cache_keys() == ["shop_alpha::1:greeting", "shop_beta::1:greeting"]


def test_the_token_throttle_counts_per_shop_through_the_database_cache(database_cache, shop, other_shop, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    body = {"email": f"owner@{shop.slug}.test", "password": "wrong-" + SHOP_PASSWORD}
    alpha = Client(HTTP_HOST=host_of(shop))
    def token(client):
        return client.post("/api/v1/auth/token", body, content_type="application/json").status_code

    assert [token(alpha) for _ in range(4)] == [401, 401, 401, 429]
    # The same client address is still welcome at another shop: the counts are per schema.
    beta = Client(HTTP_HOST=host_of(other_shop))
    assert token(beta) == 401
    assert [key.split(":")[0] for key in cache_keys()] == ["shop_alpha", "shop_beta"]


class _CountingApi(APIView):
    calls = 0

    @idempotent
    def post(self, request):
        type(self).calls += 1
        return Response({"call": self.calls, "schema": connection.schema_name}, status=201)


def _post(key: str):
    request = APIRequestFactory().post("/api/v1/probe", {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    # One user id in both shops, so only the schema in the cache key tells the replays apart.
    force_authenticate(request, user=SimpleNamespace(pk=7, is_authenticated=True, is_active=True))
    return _CountingApi.as_view()(request)


def test_idempotency_key_replays_through_the_database_cache(database_cache, shop, other_shop, monkeypatch):
    monkeypatch.setattr(_CountingApi, "calls", 0)
    with schema_context(shop.schema_name):
        first, again = _post("k-1"), _post("k-1")
    assert (first.status_code, first.data) == (201, {"call": 1, "schema": "shop_alpha"})
    assert (again.status_code, again.data, again["Idempotent-Replayed"]) == (201, first.data, "true")
    with schema_context(other_shop.schema_name):
        elsewhere = _post("k-1")
    assert (elsewhere.data, elsewhere.get("Idempotent-Replayed")) == ({"call": 2, "schema": "shop_beta"}, None)
    assert [key.split(":")[0] for key in cache_keys()] == ["shop_alpha", "shop_beta"]


def test_a_busy_hour_does_not_cull_the_days_idempotency_answers(database_cache, shop):
    with schema_context(shop.schema_name):
        database_cache.set("idempotency:first", {"status": 201}, 24 * 3600)
        database_cache.set_many({f"throttle_token_{n}": [1] for n in range(400)}, 60)
        assert database_cache.get("idempotency:first") == {"status": 201}
    assert len(cache_keys()) == 401
