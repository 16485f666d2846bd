"""The shop API served as deployed, under 32 clients, on one shop with 10,000 customers.

    python -m bench.api [--customers 10000] [--clients 32] [--requests 20] [--workers CORES]
                        [--threads 4] [--rate R] [--rate-share 0.7] [--client-processes 4]
                        [--only "contracts,create contract"]

Seeds one shop as bench.workspace does, a contract per customer, without their debit history
(not timed). Serves it through gunicorn as deploy/Procfile does (`--workers` processes, one per
core; gthread workers with `--threads` threads; gc.freeze after start-up by
pawpact.config.gunicorn; Redis for the cache), twice side by side:
- A, as deployed: django-tenants' host → shop lookup and the shop's search_path per request;
- B, the same views without tenancy middleware (bench.api_settings): every request is the
  shop's, the search path set once per connection.
The clients are threads of `--client-processes` separate processes (bench.api_load), each
request a fresh HTTP connection as a proxy in front of gunicorn opens it. For each of the top
10 reads (staff token) and two writes (a pet; a draft contract on a pet of its own), A and B
alternate so machine noise hits both alike, in two loops:
- closed: `--clients` clients, `--requests` calls each back to back. Little's law gives the
  mean latency as clients ÷ throughput, so p99 ≥ clients ÷ throughput whatever one request
  costs: that bound is printed beside each p99;
- open: the same number of calls arriving at a fixed total rate (`--rate`, else
  `--rate-share` of the lower closed-loop throughput of A and B for that operation in the same
  run), spread over the clients; latency counts from each call's scheduled start. This is how
  frontends load an API, and the targets are judged on it.
Prints p50/p99 per operation and path, throughput, the throughput ratio A/B over all
operations (closed loop), the `SET search_path` and SQL statements of one request, the p50 of
one client alone, and the load average. PASS/FAIL: open-loop reads p99 ≤ 50 ms, writes p99 ≤
150 ms; tenancy overhead (1 − throughput A/B) ≤ 10 %; ≤ 1 `SET search_path` per request.
`--only` measures just the named operations (comma-separated, as the tables name them), to
compare one change before and after without the whole run; the overhead is then over those.
Exits non-zero on any FAIL.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

from bench.common import setup_django
from bench.storefront_checkout import Gunicorn

READ_P99_MS, WRITE_P99_MS, OVERHEAD, MAX_SETS = 50, 150, 0.10, 1


class Load:
    """The client processes (bench.api_load), kept for the whole run, stopped by their PIDs."""

    def __init__(self, processes: int) -> None:
        self.processes = [
            subprocess.Popen([sys.executable, "-m", "bench.api_load"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _ in range(processes)
        ]  # fmt: skip

    def run(self, server: Gunicorn, requests: list[list], *, clients: int, rate: float | None) -> tuple[list[float], float]:
        """(ms of every call, calls per second): the calls dealt to `clients` clients in turn,
        back to back (rate None) or the i-th due at i ÷ rate seconds."""
        for index, request in enumerate(requests):
            request[4] = index / rate if rate else None
        per_client = [requests[i::clients] for i in range(clients)]
        jobs = [per_client[i :: len(self.processes)] for i in range(len(self.processes))]
        start_at = time.time() + 0.3
        busy = [(process, job) for process, job in zip(self.processes, jobs, strict=True) if job]
        for process, job in busy:
            process.stdin.write(json.dumps({"port": server.port, "host": server.host, "start_at": start_at, "clients": job}) + "\n")
            process.stdin.flush()
        answers = [json.loads(process.stdout.readline()) for process, _job in busy]
        errors = [error for answer in answers for error in answer["errors"]]
        if errors:
            raise SystemExit(f"{len(errors)}+ failed calls, first: {errors[0]}")
        times = [ms for answer in answers for ms, _status in answer["times"]]
        return times, len(times) / (max(answer["ended_at"] for answer in answers) - start_at)

    def stop(self) -> None:
        for process in self.processes:
            process.stdin.close()
            process.wait(timeout=30)


def seed(customers: int, spare_pets: int):
    """The shop (bench.workspace's seed, a contract per customer), a staff token and pets
    without a contract for the contract-creation writes."""
    from django_tenants.utils import schema_context

    from bench import workspace
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue
    from pawpact.api.opaque_ids import PLAN, PLAN_VERSION, opaque_id
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
        version = PlanVersion.objects.get(plan__code="bench-12")
        ids = {
            "customer": owners[0].uuid, "pet": Pet.objects.order_by("id").first().uuid,
            "contract": Contract.objects.order_by("id").first().uuid,
            # Plans and their versions by their opaque ids (the latest API version's).
            "plan": opaque_id(PLAN, version.plan_id), "version": opaque_id(PLAN_VERSION, version.pk),
        }  # fmt: skip
    return shop, token, ids, [(str(pet.owner.uuid), str(pet.uuid)) for pet in free]


class Operation:
    def __init__(self, name: str, method: str, path: str, token: str, body=None) -> None:
        self.name, self.method, self.path, self.token, self.body = name, method, path, token, body

    @property
    def is_read(self) -> bool:
        return self.method == "GET"

    def calls(self, count: int) -> list[list]:
        """`count` requests for bench.api_load (a fresh body and Idempotency-Key per write)."""
        calls = []
        for _ in range(count):
            headers = {"Authorization": f"Token {self.token}"}
            if not self.is_read:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            calls.append([self.method, self.path, self.body() if self.body else None, headers, None])
        return calls


def operations(ids: dict, free_pets: list, token: str) -> list[Operation]:
    lock = threading.Lock()

    def contract_body():
        with lock:
            customer, pet = free_pets.pop()
        return {"customer_uuid": customer, "pet_uuid": pet, "plan_version_id": ids["version"]}

    reads = [
        ("me", "/api/v1/me"), ("plans", "/api/v1/plans"), ("plan", f"/api/v1/plans/{ids['plan']}"),
        ("customers", "/api/v1/customers?page_size=20"), ("customer", f"/api/v1/customers/{ids['customer']}"),
        ("customer search", "/api/v1/customers?search=Customer&page_size=20"),
        ("pets", "/api/v1/pets?page_size=20"), ("pet", f"/api/v1/pets/{ids['pet']}"),
        ("contracts", "/api/v1/contracts?page_size=20"), ("contract", f"/api/v1/contracts/{ids['contract']}"),
    ]  # fmt: skip
    pet_body = {"name": "Bench", "species": "cat", "owner_uuid": str(ids["customer"])}
    return [Operation(name, "GET", url, token) for name, url in reads] + [
        Operation("create pet", "POST", "/api/v1/pets", token, lambda: dict(pet_body)),
        Operation("create contract", "POST", "/api/v1/contracts", token, contract_body),
    ]


def chosen(every: list[Operation], only: str) -> list[Operation]:
    """The operations `--only` names (all without it); an unknown name stops the run."""
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = sorted(set(names) - {operation.name for operation in every})
    if unknown:
        raise SystemExit(f"unknown operation(s) {', '.join(unknown)}; known: {', '.join(o.name for o in every)}")
    return [operation for operation in every if not names or operation.name in names]


def statements(shop, operation: Operation) -> tuple[int, int]:
    """(`SET search_path` statements, all SQL statements) of one request through path A, in
    this process (the servers keep no query log)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from pawpact.api.strict_query import schemas_build

    # As every server process does at start-up: else the first request with a query string
    # counts the statements of building the schema (8 more for the customer list).
    schemas_build()
    client = APIClient(HTTP_HOST=shop.get_primary_domain().domain)
    method, path, body, headers, _ = operation.calls(1)[0]
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    with CaptureQueriesContext(connection) as captured:
        getattr(client, method.lower())(path, body, format="json", **extra)
    sets = sum(1 for query in captured.captured_queries if query["sql"].upper().startswith("SET SEARCH_PATH"))
    connection.set_schema_to_public()
    return sets, len(captured.captured_queries)


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(load: Load, servers: dict, operation: Operation, args) -> dict:
    """Closed, then open loop, A and B alternating; the p50 of one client alone on A."""
    total, out = args.clients * args.requests, {}
    for tenancy in (False, True):  # warm-up: every worker thread has run the view once
        load.run(servers[tenancy], operation.calls(args.clients), clients=args.clients, rate=None)
    for tenancy in (False, True):
        out["closed", tenancy] = load.run(servers[tenancy], operation.calls(total), clients=args.clients, rate=None)
    rate = args.rate or args.rate_share * min(out["closed", True][1], out["closed", False][1])
    for tenancy in (False, True):
        out["open", tenancy] = load.run(servers[tenancy], operation.calls(total), clients=args.clients, rate=rate)
    out["rate"] = rate
    out["alone"] = statistics.median(load.run(servers[True], operation.calls(args.requests), clients=1, rate=None)[0])
    return out


def report(rows: list[tuple], clients: int) -> list[bool]:
    """Both tables and the PASS/FAIL of each row's targets."""
    print(f"\nclosed loop, {clients} clients back to back (ms; bound = {clients} ÷ throughput, p99 ≥ bound)")
    print(f"{'operation':<17}{'A p50':>8}{'A p99':>8}{'A bound':>8}{'A /s':>7}{'B p50':>8}{'B p99':>8}{'B bound':>8}{'B /s':>7}{'A/B':>6}")
    for operation, out, _sets, _sql in rows:
        a, b = out["closed", True], out["closed", False]
        print(f"{operation.name:<17}{p(a[0], 50):8.1f}{p(a[0], 99):8.1f}{clients / a[1] * 1000:8.1f}{a[1]:7.0f}"
              f"{p(b[0], 50):8.1f}{p(b[0], 99):8.1f}{clients / b[1] * 1000:8.1f}{b[1]:7.0f}{a[1] / b[1]:6.2f}")  # fmt: skip
    print(f"\nopen loop, {clients} clients at a fixed total rate (ms from each call's scheduled start)")
    print(f"{'operation':<17}{'rate/s':>7}{'A p50':>8}{'A p99':>8}{'B p50':>8}{'B p99':>8}{'SETs':>5}{'SQL':>5}{'alone p50':>10}  target")
    results = []
    for operation, out, sets, sql in rows:
        a, b = out["open", True], out["open", False]
        limit = READ_P99_MS if operation.is_read else WRITE_P99_MS
        ok = p(a[0], 99) <= limit
        results += [ok, sets <= MAX_SETS]
        print(f"{operation.name:<17}{out['rate']:7.0f}{p(a[0], 50):8.1f}{p(a[0], 99):8.1f}{p(b[0], 50):8.1f}{p(b[0], 99):8.1f}"
              f"{sets:5d}{sql:5d}{out['alone']:10.1f}  p99 ≤ {limit} {'PASS' if ok else 'FAIL'}")  # fmt: skip
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--rate", type=float, default=None, help="open-loop calls per second (all clients)")
    parser.add_argument("--rate-share", type=float, default=0.7, help="else this share of the closed-loop throughput")
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--only", default="", help="comma-separated operation names (default: all)")
    args = parser.parse_args()
    from pawpact.config.embedded import redis_start

    redis, os.environ["REDIS_URL"] = redis_start()
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())  # the same in every server process
    try:
        return _run(args)
    finally:
        redis.terminate()


def _run(args) -> int:
    setup_django()
    started = time.perf_counter()
    spare = 2 * args.clients * (2 * args.requests + 1) + args.requests + 10
    shop, token, ids, free = seed(args.customers, spare_pets=spare)
    print(f"seeded {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    print(f"load average {load_average()} on {os.cpu_count()} CPUs at the start")
    host = shop.get_primary_domain().domain
    from django.db import connections

    connections.close_all()
    servers, load = {}, Load(args.client_processes)
    try:
        for tenancy in (True, False):
            env = {} if tenancy else {"DJANGO_SETTINGS_MODULE": "bench.api_settings", "PAWPACT_BENCH_SHOP_SCHEMA": shop.schema_name}
            servers[tenancy] = Gunicorn(workers=args.workers, threads=args.threads, env=env, host=host, ready_path="/api/v1/plans")
        print(f"gunicorn: {args.workers} workers × {args.threads} threads (gthread) per path; "
              f"{args.clients} clients in {args.client_processes} processes")  # fmt: skip
        rows = []
        for operation in chosen(operations(ids, free, token), args.only):
            out = measure(load, servers, operation, args)
            rows.append((operation, out, *statements(shop, operation)))
            print(f"  {operation.name}: done, load average {load_average()}", flush=True)
    finally:
        load.stop()
        for server in servers.values():
            server.stop()
    results = report(rows, args.clients)
    throughput = {t: sum(out["closed", t][1] for _op, out, _s, _q in rows) for t in (True, False)}
    overhead = 1 - throughput[True] / throughput[False]
    results.append(overhead <= OVERHEAD)
    print(f"\nthroughput A/B over all operations (closed loop): {throughput[True] / throughput[False]:.3f} "
          f"(tenancy overhead {overhead:.1%}, limit {OVERHEAD:.0%})  {'PASS' if overhead <= OVERHEAD else 'FAIL'}")  # fmt: skip
    print(f"load average {load_average()} at the end")
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
