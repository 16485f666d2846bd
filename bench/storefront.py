"""The storefront under load: the catalog API with and without tenancy, and checkout races.

    python -m bench.storefront [--products 2000] [--clients 8] [--requests 150] [--buyers 200] [--hot 50]

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

(b) Checkout: `--buyers` buyers at once (a barrier releases them together) on `--hot` SKUs,
stock 3 units each (fewer units than buyers), each buying 1 unit of a random hot SKU through
`checkout` (reservation, sandbox payment, ledger), at most `--workers` served at once (a web
server's workers; PostgreSQL's 100 connections); latency counts from arrival. Two rounds on
fresh buyers and stock: the earlier setup (a connection per buyer, the warehouse push inside
the request) and pooled workers (connections kept, the push queued); the p99 ratio of the two. Prints orders paid, refused as sold out,
p50/p99 latency, and the oversold count (units paid beyond stock, must be 0). Targets:
**0 oversold**, **p99 ≤ 300 ms**.
"""
import argparse
import os
import random
import statistics
import sys
import threading
import time

from bench.common import setup_django

OVERHEAD_MAX = 0.10
CHECKOUT_P99_MS = 300
HOT_STOCK = 3


def seed(*, products: int):
    from django.db import connection
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.storefront.models import Product
    from pawpact.tenants.services import shop_provision
    from pawpact.tenants.secrets import text_encrypt as secret_encrypt
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


def _buyers_make(shop, skus, *, buyers: int, hot: int, tag: str) -> list:
    """Fresh customers with an address and a card, each wanting one unit of a random hot SKU
    (whose stock is reset to HOT_STOCK)."""
    from datetime import date

    from django_tenants.utils import schema_context

    from pawpact.billing.models import PaymentMethod
    from pawpact.customers.models import Customer
    from pawpact.storefront.models import Product, ShippingAddress
    from pawpact.warehouses.models import WarehouseSku

    hot_skus = skus[:hot]
    WarehouseSku.objects.filter(pk__in=[s.pk for s in hot_skus]).update(available=HOT_STOCK, reserved=0)
    with schema_context(shop.schema_name):
        products = list(Product.objects.filter(warehouse_sku__in=hot_skus).select_related("warehouse_sku"))
        people = []
        for i in range(buyers):
            phone = f"13{tag}{i:08d}"
            customer = Customer.objects.create(name=f"买家 {tag}{i}", phone=phone, birth_date=date(1990, 1, 1))
            ShippingAddress.objects.create(customer=customer, name="买家", phone=phone, province="上海市",
                                           city="上海市", address="世纪大道 1 号")  # fmt: skip
            method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{tag}{i}")
            people.append((customer, method, random.Random(i).choice(products)))
    return people


def _buy(customer, method, product) -> str:
    from pawpact.core.errors import DomainError
    from pawpact.storefront.enums import OrderStatus
    from pawpact.storefront.services.orders import cart_set, checkout

    try:
        cart_set(customer=customer, product=product, quantity=1)
        order = checkout(customer=customer, payment_method=method, checkout_key=f"bench-{customer.pk}")
        return "paid" if order.status == OrderStatus.PAID else "other"
    except DomainError:
        return "sold out"


def _checkout_round(shop, people, *, workers: int, pooled: bool) -> tuple[list[float], dict]:
    """Every buyer arrives at once; latency from arrival. `pooled`: `workers` long-lived threads
    (a web server's workers, connections kept as CONN_MAX_AGE does) take buyers from a queue
    and hand the parcel push to the task queue (run after the clock stops, as the Celery
    worker would). Otherwise the earlier setup: a thread and a new connection per buyer, the
    push to the warehouse run inside the request (eager tasks)."""
    import queue

    from django.db import connection
    from django_tenants.utils import tenant_context

    from pawpact.storefront import tasks as storefront_tasks

    times, outcomes, lock = [], {"paid": 0, "sold out": 0, "other": 0, "service": []}, threading.Lock()
    deferred, real_delay = [], storefront_tasks.fulfilment_push_task.delay
    arrived = 0.0

    def serve(person, since=None):
        started = time.perf_counter()
        with tenant_context(shop):  # as the tenant middleware sets it
            outcome = _buy(*person)
        done = time.perf_counter()
        with lock:
            times.append((done - (since or arrived)) * 1000)
            outcomes["service"].append((done - started) * 1000)  # in a worker, queueing aside
            outcomes[outcome] += 1

    if pooled:
        storefront_tasks.fulfilment_push_task.delay = lambda *args: deferred.append(args)
        work: queue.Queue = queue.Queue()
        ready = threading.Barrier(workers + 1)

        def worker():
            connection.ensure_connection()
            ready.wait()
            while (person := work.get()) is not None:
                serve(person)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        ready.wait()
        arrived = time.perf_counter()
        for person in people:
            work.put(person)
        for _ in threads:
            work.put(None)
    else:
        barrier, servers = threading.Barrier(len(people)), threading.BoundedSemaphore(workers)

        def buyer(person):
            barrier.wait()
            since = time.perf_counter()  # from arrival: waiting for a free worker counts
            with servers:
                serve(person, since)
                connection.close()

        threads = [threading.Thread(target=buyer, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join()
    storefront_tasks.fulfilment_push_task.delay = real_delay
    with tenant_context(shop):
        for args in deferred:
            storefront_tasks.fulfilment_push_task.apply(args=args)
    return times, outcomes


def run_checkout(shop, skus, *, buyers: int, hot: int, workers: int) -> list[bool]:
    from django.db.models import Sum
    from django_tenants.utils import schema_context

    from pawpact.storefront.enums import OrderStatus
    from pawpact.storefront.models import OrderLine

    results, p99s = [], {}
    for tag, pooled, label in (("70", False, "connection per request, push inline (earlier setup)"),
                               ("71", True, "pooled workers, push queued")):  # fmt: skip
        people = _buyers_make(shop, skus, buyers=buyers, hot=hot, tag=tag)
        customer_ids = [customer.pk for customer, _method, _product in people]
        times, outcomes = _checkout_round(shop, people, workers=workers, pooled=pooled)
        with schema_context(shop.schema_name):
            sold = dict(OrderLine.objects.filter(order__status=OrderStatus.PAID, order__customer_id__in=customer_ids)
                        .values("warehouse_sku_id").annotate(units=Sum("quantity"))
                        .values_list("warehouse_sku_id", "units"))  # fmt: skip
        oversold = sum(max(0, units - HOT_STOCK) for units in sold.values())
        wanted: dict[int, int] = {}
        for _customer, _method, product in people:
            wanted[product.warehouse_sku_id] = wanted.get(product.warehouse_sku_id, 0) + 1
        expected = sum(min(n, HOT_STOCK) for n in wanted.values())
        p99s[pooled] = latency = p99(times)
        print(f"checkout, {label}: {buyers} buyers on {hot} SKUs × {HOT_STOCK} units: paid {outcomes['paid']} of "
              f"{expected} allowed, sold out {outcomes['sold out']}, other {outcomes['other']}; "
              f"p50 {statistics.median(times):.1f} ms, p99 {latency:.1f} ms, oversold {oversold}; "
              f"in a worker (queueing aside): p50 {statistics.median(outcomes['service']):.1f} ms, "
              f"p99 {p99(outcomes['service']):.1f} ms; {buyers / (max(times) / 1000):.0f} checkouts/s")  # fmt: skip
        results += [oversold == 0, outcomes["paid"] == expected]
    print(f"checkout p99 ratio, pooled / earlier setup: {p99s[True] / p99s[False]:.2f} "
          f"({p99s[False]:.0f} ms → {p99s[True]:.0f} ms)")  # fmt: skip
    print(f"oversold units: 0 in both  {'PASS' if all(results) else 'FAIL'}")
    print(f"checkout p99 ≤ {CHECKOUT_P99_MS} ms  {'PASS' if p99s[True] <= CHECKOUT_P99_MS else 'FAIL'}")
    return [*results, p99s[True] <= CHECKOUT_P99_MS]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--hot", type=int, default=50)
    parser.add_argument("--workers", type=int, default=32, help="requests served at once (web workers)")
    parser.add_argument("--checkout-only", action="store_true", help="skip (a), the catalog list rounds")
    args = parser.parse_args()
    setup_django()
    from pawpact.config.celery import app

    app.conf.task_always_eager = True  # parcels are queued in-process; no broker in a benchmark
    started = time.perf_counter()
    shop, skus = seed(products=args.products)
    print(f"seeded {args.products:,} products in {time.perf_counter() - started:.1f} s")
    results = [] if args.checkout_only else run_catalog(shop, clients=args.clients, requests=args.requests)
    print(f"load average before the checkout rounds: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results += run_checkout(shop, skus, buyers=args.buyers, hot=args.hot, workers=args.workers)
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
