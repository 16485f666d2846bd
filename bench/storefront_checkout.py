"""Checkout races served as production serves them: gunicorn, one worker per core, Redis for
the cache and the task queue, buyers over HTTP (`POST /api/v1/shop/checkout`, a token and an
Idempotency-Key each), on `--hot` SKUs of HOT_STOCK units (fewer units than buyers).

Two rounds, each on fresh buyers and fresh stock:
  - burst: every buyer released at once (a barrier); with W workers the last one waits for
    the ~N/W checkouts ahead of it, so p99 ≈ buyers / throughput whatever one checkout costs;
  - open loop: buyers arrive at `--rate` per second (a fixed schedule, not waiting for the
    answers), latency counted from each one's scheduled arrival: what a shop sees when
    buyers come in at that pace.
Each prints paid / allowed / sold out, p50 and p99 latency, throughput and the oversold
count (units paid beyond stock, must be 0). The statements of one checkout are asserted by
tests/storefront/test_checkout_queries.py.
"""
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

HOT_STOCK = 3
HOST = "bench.localhost"


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def buyers_make(shop, skus, *, buyers: int, hot: int, tag: str) -> list[tuple[str, int, int]]:
    """(API token, payment method id, warehouse SKU id) of fresh customers, each with an
    address, a card and one unit of a random hot SKU in the cart (stock reset to HOT_STOCK)."""
    from datetime import date

    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue
    from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id
    from pawpact.billing.models import PaymentMethod
    from pawpact.customers.models import Customer
    from pawpact.storefront.models import CartLine, Product, ShippingAddress
    from pawpact.warehouses.models import WarehouseSku

    hot_skus = skus[:hot]
    WarehouseSku.objects.filter(pk__in=[s.pk for s in hot_skus]).update(available=HOT_STOCK, reserved=0)
    people = []
    with schema_context(shop.schema_name):
        products = list(Product.objects.filter(warehouse_sku__in=hot_skus))
        for i in range(buyers):
            phone = f"13{tag}{i:08d}"
            user = User.objects.create_user(f"buyer{tag}{i}@bench.test", None, name=f"买家 {tag}{i}")
            customer = Customer.objects.create(name=f"买家 {tag}{i}", phone=phone, birth_date=date(1990, 1, 1), user=user)
            ShippingAddress.objects.create(customer=customer, name="买家", phone=phone, province="上海市",
                                           city="上海市", address="世纪大道 1 号")  # fmt: skip
            method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{tag}{i}")
            product = random.Random(f"{tag}{i}").choice(products)
            CartLine.objects.create(customer=customer, product=product, quantity=1)
            # The API names a payment method by its opaque id, as a client reads it from the API.
            people.append((api_token_issue(user=user), opaque_id(PAYMENT_METHOD, method.pk), product.warehouse_sku_id))
    return people


class Gunicorn:
    """The web process as deploy/Procfile runs it, on a free port, stopped by its PID."""

    def __init__(self, *, workers: int, threads: int, env: dict | None = None, host: str = HOST,
                 ready_path: str = "/api/v1/shop/products?page_size=1") -> None:  # fmt: skip
        from pawpact.config.embedded import _free_port

        self.port, self.host = _free_port(), host
        env = {**os.environ, **(env or {}), "PAWPACT_PORT": str(self.port), "PAWPACT_BIND": f"127.0.0.1:{self.port}"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pawpact.config.wsgi:application", "--config",
             "python:pawpact.config.gunicorn", "--workers", str(workers), "--threads", str(threads),
             "--log-level", "warning"], env=env,
        )  # fmt: skip
        for _ in range(600):
            try:
                if self.request("GET", ready_path)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not answer")
        for _ in range(4 * workers):  # every worker past its first request
            self.request("GET", ready_path)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            connection.request(method, path, body=payload,
                               headers={"Host": self.host, "Content-Type": "application/json", **(headers or {})})  # fmt: skip
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _checkout_round(server: Gunicorn, people, *, rate: float | None) -> tuple[list[float], dict, float]:
    """(latency ms per buyer, outcomes, wall seconds). rate None: all at once; else buyers
    arrive every 1/rate s and latency counts from the scheduled arrival."""
    times, outcomes, lock = [], {"paid": 0, "sold out": 0, "other": 0}, threading.Lock()
    barrier = threading.Barrier(len(people) + 1)
    start = [0.0]

    def buyer(index, person):
        token, method_id, _sku = person
        barrier.wait()
        arrival = start[0] + (index / rate if rate else 0.0)
        time.sleep(max(0.0, arrival - time.perf_counter()))
        status, body = server.request("POST", "/api/v1/shop/checkout", {"payment_method_id": method_id},
                                      {"Authorization": f"Token {token}", "Idempotency-Key": f"bench-{token[-12:]}"})  # fmt: skip
        done = time.perf_counter()
        outcome = "paid" if status == 201 and json.loads(body)["status"] == "paid" else (
            "sold out" if status in (409, 422) else "other")  # fmt: skip
        with lock:
            times.append((done - arrival) * 1000)
            outcomes[outcome] += 1
            if outcome == "other" and outcomes["other"] <= 3:
                print(f"  unexpected answer {status}: {body[:300]!r}")

    threads = [threading.Thread(target=buyer, args=(i, person)) for i, person in enumerate(people)]
    for thread in threads:
        thread.start()
    start[0] = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return times, outcomes, time.perf_counter() - start[0]


def run_checkout(shop, skus, *, buyers: int, hot: int, workers: int, threads: int, rate: float, target_ms: float) -> list[bool]:
    from django.db.models import Sum
    from django_tenants.utils import schema_context

    from pawpact.storefront.enums import OrderStatus
    from pawpact.storefront.models import OrderLine

    server = Gunicorn(workers=workers, threads=threads)
    print(f"checkout through gunicorn: {workers} workers × {threads} threads ({os.cpu_count()} cores), "
          f"{buyers} buyers on {hot} SKUs × {HOT_STOCK} units")  # fmt: skip
    results, p99s = [], {}
    try:
        for tag, arrival, label in (("70", None, "burst (all at once)"), ("71", rate, f"open loop, {rate:g} buyers/s")):
            people = buyers_make(shop, skus, buyers=buyers, hot=hot, tag=tag)
            times, outcomes, wall = _checkout_round(server, people, rate=arrival)
            with schema_context(shop.schema_name):
                sold = dict(OrderLine.objects.filter(order__status=OrderStatus.PAID, order__checkout_key__contains=":")
                            .filter(warehouse_sku_id__in=[s.pk for s in skus[:hot]], order__customer__phone__startswith=f"13{tag}")
                            .values("warehouse_sku_id").annotate(units=Sum("quantity")).values_list("warehouse_sku_id", "units"))  # fmt: skip
            oversold = sum(max(0, units - HOT_STOCK) for units in sold.values())
            wanted: dict[int, int] = {}
            for _token, _method, sku_id in people:
                wanted[sku_id] = wanted.get(sku_id, 0) + 1
            expected = sum(min(n, HOT_STOCK) for n in wanted.values())
            p99s[label] = p99(times)
            print(f"checkout, {label}: paid {outcomes['paid']} of {expected} allowed, sold out {outcomes['sold out']}, "
                  f"other {outcomes['other']}; p50 {statistics.median(times):.0f} ms, p99 {p99s[label]:.0f} ms; "
                  f"{buyers / wall:.0f} checkouts/s over {wall:.2f} s; oversold {oversold}")  # fmt: skip
            results += [oversold == 0, outcomes["paid"] == expected, outcomes["other"] == 0]
    finally:
        server.stop()
    print(f"oversold units: 0 in both  {'PASS' if all(results) else 'FAIL'}")
    for label, value in p99s.items():
        print(f"checkout p99 ≤ {target_ms:.0f} ms, {label}: {value:.0f} ms  {'PASS' if value <= target_ms else 'FAIL'}")
    return results
