"""The storefront under load: the catalog API with and without tenancy, and checkout races.

    python -m bench.storefront [--products 2000] [--clients 8] [--requests 150] [--buyers 200] [--hot 50]
                               [--workers CORES] [--threads 1] [--rate 50] [--checkout-only]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh database on
that server, dropped at exit); one warehouse with `--products` SKUs, one shop linked to it
selling every one of them (not timed).

(a) Catalog list API (`GET /api/v1/shop/products`, pages of 50, some filtered by category),
`--clients` concurrent clients (threads, each with its own database connection) × `--requests`
each, through the whole Django stack, measured two ways in alternating rounds so machine noise
hits both alike:
  - tenant: the shop's host → domain lookup → the shop's schema set on the connection;
  - single-schema baseline: the same stack and view with the tenancy middleware replaced by
    one that hands every request the shop (no lookup) on a connection whose search path was
    set once, as a project with one schema would run.
Prints requests/s and p50/p99 of each, the overhead ratio, and how many `SET search_path`
statements one tenant request sends. Targets: **overhead ≤ 10 %** (throughput), **at most one
SET of the shop's schema per request**, queries per page independent of its size.

(b) Checkout through gunicorn (bench/storefront_checkout.py): `--buyers` buyers on `--hot`
SKUs of 3 units each, over HTTP to `--workers` gunicorn workers (one per core, as deploy/Procfile
runs them) with Redis for the cache and the task queue; a burst round (all at once) and an
open-loop round (`--rate` arrivals per second). Targets: **0 oversold**, **p99 ≤ 300 ms**.
"""
import argparse
import os
import statistics
import sys
import threading
import time

from bench.common import setup_django
from bench.storefront_checkout import run_checkout

OVERHEAD_MAX = 0.10
CHECKOUT_P99_MS = 300
HOT_STOCK = 3


def seed(*, products: int):
    from django.db import connection
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.storefront.models import Product
    from pawpact.tenants.secrets import text_encrypt as secret_encrypt
    from pawpact.tenants.services import shop_provision
    from pawpact.warehouses.enums import SkuCategory
    from pawpact.warehouses.models import Warehouse, WarehouseLink, WarehouseSku

    # A closed port: parcels queued by checkouts wait for their retry; nothing leaves the machine.
    warehouse = Warehouse.objects.create(code="bench", name="Bench warehouse", base_url="http://127.0.0.1:9",
                                         key_id="bench", secret_encrypted=secret_encrypt("bench-secret-0123456789"),
                                         status="active")  # fmt: skip
    categories = SkuCategory.values
    WarehouseSku.objects.bulk_create(
        (WarehouseSku(warehouse=warehouse, sku=f"B-{i:05d}", name=f"商品 {i}", name_en=f"Product {i}",
                      category=categories[i % len(categories)], unit="1 件", cost_minor=1_000 + i, available=500,
                      stock_version=1) for i in range(products)), batch_size=5000,
    )  # fmt: skip
    owner = User.objects.create_user("owner@bench.test", "bench-pass-123", name="Bench owner")
    shop = shop_provision(name="Bench Pets", slug="bench", owner=owner)
    WarehouseLink.objects.create(shop=shop, warehouse=warehouse)
    skus = list(WarehouseSku.objects.filter(warehouse=warehouse).order_by("id"))
    with schema_context(shop.schema_name):
        Product.objects.bulk_create((Product(warehouse_sku=sku, price_minor=sku.cost_minor * 2) for sku in skus),
                                    batch_size=5000)  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return shop, skus


def _baseline_client(shop):
    """A client whose stack has no tenancy middleware: every request is the shop's, on a
    connection whose search path is set once (what a one-schema project does)."""
    from django.conf import settings
    from django.test import Client
    from django.test.client import ClientHandler
    from django.test.utils import override_settings

    class PinShop:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            from django.db import connection

            if connection.schema_name != shop.schema_name:  # only if something switched it away
                connection.set_tenant(shop)
            request.tenant, request.urlconf = shop, settings.ROOT_URLCONF
            return self.get_response(request)

    class Handler(ClientHandler):
        def load_middleware(self, is_async=False):
            stack = [m for m in settings.MIDDLEWARE if not m.endswith(("TenantMainMiddleware", "ShopHostMiddleware"))]
            with override_settings(MIDDLEWARE=[f"{__name__}._Pin", *stack]):
                globals()["_Pin"] = PinShop
                super().load_middleware(is_async)

    client = Client(HTTP_HOST="localhost")
    client.handler = Handler(enforce_csrf_checks=False)
    return client


def _urls(requests: int) -> list[str]:
    from pawpact.warehouses.enums import SkuCategory

    urls = ["/api/v1/shop/products?page_size=50"] * requests
    for i in range(0, requests, 3):
        urls[i] = f"/api/v1/shop/products?page_size=50&category={SkuCategory.values[i % 4]}"
    return urls


def _round(make_client, *, clients: int, requests: int, pin_schema=None) -> tuple[float, list[float]]:
    """(requests/s, per-request ms) of `clients` threads each sending `requests` requests."""
    from django.db import connection

    times: list[float] = []
    lock, barrier = threading.Lock(), threading.Barrier(clients + 1)

    def worker():
        if pin_schema is not None:
            connection.set_tenant(pin_schema)
        client, mine = make_client(), []
        client.get(_urls(1)[0])  # warm-up: connection, middleware chain
        barrier.wait()
        for url in _urls(requests):
            start = time.perf_counter()
            response = client.get(url)
            mine.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with lock:
            times.extend(mine)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return len(times) / (time.perf_counter() - started), times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[-1]


def run_catalog(shop, *, clients: int, requests: int) -> list[bool]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    host = shop.get_primary_domain().domain
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=host)
    client.get("/api/v1/shop/products")  # warm-up
    counts = []
    for size in (10, 50):
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/api/v1/shop/products?page_size={size}")
        sql = [q["sql"] for q in captured.captured_queries]
        counts.append(len(sql))
        shop_sets = sum(1 for q in sql if q.startswith("SET search_path") and shop.schema_name in q)
    results = {"tenant": ([], []), "single-schema": ([], [])}
    for _ in range(3):
        for name in ("single-schema", "tenant"):
            if name == "tenant":
                rate, times = _round(lambda: Client(HTTP_HOST=host), clients=clients, requests=requests)
            else:
                rate, times = _round(lambda: _baseline_client(shop), clients=clients, requests=requests, pin_schema=shop)
            results[name][0].append(rate)
            results[name][1].extend(times)
    print(f"{'catalog list':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    rates = {}
    for name, (rounds, times) in results.items():
        rates[name] = statistics.median(rounds)
        print(f"{name:<16} {rates[name]:8.0f} {statistics.median(times):8.1f} {p99(times):8.1f}")
    overhead = rates["single-schema"] / rates["tenant"] - 1
    print(f"tenant overhead {overhead:+.1%} (target ≤ {OVERHEAD_MAX:.0%})  {'PASS' if overhead <= OVERHEAD_MAX else 'FAIL'}")
    print(f"SET of the shop's schema per request: {shop_sets}  {'PASS' if shop_sets <= 1 else 'FAIL'}")
    print(f"queries per request, page of 10 / 50: {counts[0]} / {counts[1]}  {'PASS' if counts[0] == counts[1] else 'FAIL'}")
    return [overhead <= OVERHEAD_MAX, shop_sets <= 1, counts[0] == counts[1]]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--hot", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (one per core)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: the Procfile's sync workers)")
    parser.add_argument("--rate", type=float, default=50.0, help="open-loop arrivals per second")
    parser.add_argument("--checkout-only", action="store_true", help="skip (a), the catalog list rounds")
    args = parser.parse_args()
    # As production runs: Redis carries the cache (idempotency keys) and the task queue.
    from pawpact.config.embedded import redis_start

    redis, os.environ["REDIS_URL"] = redis_start()
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())  # the same for gunicorn's workers
    try:
        return _run(args)
    finally:
        redis.terminate()


def _run(args) -> int:
    setup_django()
    from pawpact.config.celery import app

    app.conf.task_always_eager = True  # parcels are queued in-process; no broker in a benchmark
    started = time.perf_counter()
    shop, skus = seed(products=args.products)
    print(f"seeded {args.products:,} products in {time.perf_counter() - started:.1f} s")
    results = [] if args.checkout_only else run_catalog(shop, clients=args.clients, requests=args.requests)
    print(f"load average before the checkout rounds: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results += run_checkout(shop, skus, buyers=args.buyers, hot=args.hot, workers=args.workers, threads=args.threads,
                            rate=args.rate, target_ms=CHECKOUT_P99_MS)  # fmt: skip
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
