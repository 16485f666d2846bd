"""The shop API under 32 concurrent clients on one shop with 10,000 customers.

    python -m bench.api [--customers 10000] [--clients 32] [--requests 20]

Seeds one shop as bench.workspace does, a contract per customer, without their debit history
(not timed), then, through the whole Django stack
(middleware, DRF, token authentication, JSON), `--clients` threads each make `--requests`
calls of every operation, twice in the same run:
- A, as deployed: the host is resolved to the shop by django-tenants' middleware on each
  request, which points the connection's search_path at the shop's schema;
- B, the same views without tenancy middleware: each thread's connection is pointed at the
  shop once, and a middleware only hands the views the shop and its URLs.
The top 10 reads (staff token) and two writes (a pet, a draft contract on a pet of its
own) are measured; A and B alternate per operation so machine noise hits both alike.
Prints p50/p99 per operation and path, the throughput ratio A/B, the `SET search_path`
statements per request, and PASS/FAIL for: reads p99 ≤ 50 ms, writes p99 ≤ 150 ms,
tenancy overhead (1 − throughput A/B) ≤ 10 %, ≤ 1 `SET search_path` per request.
Exits non-zero on any FAIL.
"""
import argparse
import os
import statistics
import sys
import threading
import time
import uuid

from bench.common import setup_django

READ_P99_MS, WRITE_P99_MS, OVERHEAD, MAX_SETS = 50, 150, 0.10, 1


class FixedShopMiddleware:
    """Path B: the shop and its URLs without looking up the host or touching search_path."""

    shop = None

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = self.shop
        request.urlconf = "pawpact.config.urls_tenant"
        return self.get_response(request)


def _client(shop, token: str, *, tenancy: bool):
    """A client whose handler runs path A's or path B's middleware (built in the main thread:
    settings are not to be overridden while other threads read them)."""
    from django.conf import settings
    from django.test import override_settings
    from rest_framework.test import APIClient

    FixedShopMiddleware.shop = shop
    client = APIClient(HTTP_HOST=shop.get_primary_domain().domain, HTTP_AUTHORIZATION=f"Token {token}")
    middleware = list(settings.MIDDLEWARE)
    if not tenancy:
        middleware[middleware.index("pawpact.tenants.host_middleware.ShopHostMiddleware")] = "bench.api.FixedShopMiddleware"
    with override_settings(MIDDLEWARE=middleware):
        client.handler.load_middleware()
    return client


def _call(client, method: str, url: str, body_for):
    if method == "get":
        return client.get(url)
    return client.post(url, body_for(), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def run(shop, token, operation, *, tenancy: bool, clients: int, requests: int) -> tuple[list[float], float]:
    """(milliseconds of every call, calls per second) of `clients` threads making `requests` calls each."""
    from django.db import connection

    _name, method, url, body_for = operation
    times: list[float] = []
    errors: list[str] = []
    lock, barrier = threading.Lock(), threading.Barrier(clients + 1, timeout=600)
    handlers = [_client(shop, token, tenancy=tenancy) for _ in range(clients)]

    def worker(client):
        mine = []
        try:
            if not tenancy:
                connection.set_tenant(shop)  # once per thread: path B never sets it again
            _call(client, method, url, body_for)  # warm-up
            barrier.wait()
            for _ in range(requests):
                start = time.perf_counter()
                response = _call(client, method, url, body_for)
                mine.append((time.perf_counter() - start) * 1000)
                if response.status_code not in (200, 201):
                    errors.append(f"{url} {response.status_code} {response.content[:200]!r}")
        except Exception as error:  # noqa: BLE001 (reported below, the run goes on)
            errors.append(repr(error))
            barrier.abort()
        finally:
            with lock:
                times.extend(mine)
            connection.close()

    threads = [threading.Thread(target=worker, args=(client,)) for client in handlers]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{operation[0]}: {len(errors)} errors, first: {errors[0]}")
    return times, len(times) / (time.perf_counter() - started)


def seed(customers: int, spare_pets: int):
    """The shop (bench.workspace's seed, a contract per customer), a staff token and pets
    without a contract for the contract-creation writes."""
    from django_tenants.utils import schema_context

    from bench import workspace
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue
    from pawpact.billing.models import Contract, PlanVersion
    from pawpact.customers.models import Customer, Pet

    # Without the debit history: none of the operations measured reads periods or attempts
    # (and that seeding step does not know the newest period columns yet).
    workspace._periods_and_attempts = lambda cursor, *, today: None
    shop = workspace.seed(customers=customers, contracts=customers)
    with schema_context(shop.schema_name):
        staff = User.objects.create_user("staff@bench.test", "bench-pass-123", is_staff=True)
        token = api_token_issue(user=staff)
        owners = list(Customer.objects.order_by("id")[:200])
        free = Pet.objects.bulk_create(Pet(owner=owners[i % len(owners)], name=f"Free {i}", species="cat")
                                       for i in range(spare_pets))  # fmt: skip
        ids = {
            "customer": owners[0].uuid, "pet": Pet.objects.order_by("id").first().uuid,
            "contract": Contract.objects.order_by("id").first().uuid,
            "plan": "bench-12", "version": PlanVersion.objects.get(plan__code="bench-12").pk,
        }  # fmt: skip
    return shop, token, ids, [(pet.owner.uuid, pet.uuid) for pet in free]


def operations(ids: dict, free_pets: list) -> list[tuple]:
    lock = threading.Lock()

    def contract_body():
        with lock:
            customer, pet = free_pets.pop()
        return {"customer_uuid": str(customer), "pet_uuid": str(pet), "plan_version_id": ids["version"]}

    reads = [
        ("me", "/api/v1/me"), ("plans", "/api/v1/plans"), ("plan", f"/api/v1/plans/{ids['plan']}"),
        ("customers", "/api/v1/customers?page_size=20"), ("customer", f"/api/v1/customers/{ids['customer']}"),
        ("customer search", "/api/v1/customers?search=Customer&page_size=20"),
        ("pets", "/api/v1/pets?page_size=20"), ("pet", f"/api/v1/pets/{ids['pet']}"),
        ("contracts", "/api/v1/contracts?page_size=20"), ("contract", f"/api/v1/contracts/{ids['contract']}"),
    ]  # fmt: skip
    writes = [
        ("create pet", "post", "/api/v1/pets",
         lambda: {"name": "Bench", "species": "cat", "owner_uuid": str(ids["customer"])}),
        ("create contract", "post", "/api/v1/contracts", contract_body),
    ]  # fmt: skip
    return [(name, "get", url, None) for name, url in reads] + writes


def search_path_sets(shop, token, operation) -> tuple[int, int]:
    """(`SET search_path` statements, all SQL statements) in one request through path A."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(shop, token, tenancy=True)
    with CaptureQueriesContext(connection) as captured:
        _call(client, operation[1], operation[2], operation[3])
    sets = sum(1 for query in captured.captured_queries if query["sql"].upper().startswith("SET SEARCH_PATH"))
    return sets, len(captured.captured_queries)


def alone(shop, token, operation, *, requests: int) -> float:
    """p50 in ms of `requests` calls made one after another by a single client (path A): the
    time a request needs when nothing waits in front of it, against which the 32-client p99
    tells queueing (load, the interpreter lock) from the code's own cost."""
    client = _client(shop, token, tenancy=True)
    _call(client, operation[1], operation[2], operation[3])
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        _call(client, operation[1], operation[2], operation[3])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    shop, token, ids, free = seed(args.customers, spare_pets=2 * args.clients * (args.requests + 1) + 4 * args.requests + 10)
    print(f"seeded {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    results, throughput = [], {True: 0.0, False: 0.0}
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'operation':<18}{'A p50':>8}{'A p99':>8}{'B p50':>8}{'B p99':>8}{'A/B':>7}{'SETs':>6}{'SQL':>5}{'1-client p50':>14}")
    for operation in operations(ids, free):
        measured = {}
        for tenancy in (False, True):
            measured[tenancy] = run(shop, token, operation, tenancy=tenancy, clients=args.clients, requests=args.requests)
            throughput[tenancy] += measured[tenancy][1]
        sets, statements = search_path_sets(shop, token, operation)
        single = alone(shop, token, operation, requests=args.requests)
        a, b = measured[True], measured[False]
        limit = READ_P99_MS if operation[1] == "get" else WRITE_P99_MS
        results += [p(a[0], 99) <= limit, sets <= MAX_SETS]
        print(f"{operation[0]:<18}{p(a[0], 50):8.1f}{p(a[0], 99):8.1f}{p(b[0], 50):8.1f}{p(b[0], 99):8.1f}"
              f"{a[1] / b[1]:7.2f}{sets:6d}{statements:5d}{single:14.1f}  (p99 limit {limit} ms)")  # fmt: skip
    overhead = 1 - throughput[True] / throughput[False]
    results.append(overhead <= OVERHEAD)
    print(f"throughput A/B over all operations: {throughput[True] / throughput[False]:.3f} "
          f"(tenancy overhead {overhead:.1%}, limit {OVERHEAD:.0%})")  # fmt: skip
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
