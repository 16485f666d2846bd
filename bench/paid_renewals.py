"""Paid-membership renewals: the batched run against renewing one by one, and a killed run.

    python -m bench.paid_renewals [--members 5000] [--sample 500] [--remote 2000]
                                  [--remote-sample 60] [--latency 0.15] [--kill 2000]

Starts a throw-away embedded PostgreSQL, provisions shops and seeds memberships of ¥9.90 a
month whose period ends today (bulk inserts, not timed). The machine may be loaded:
each figure is paired with its baseline measured in the same run, and the ratios matter.
(a) sandbox rail (local, no latency: the cost is the books): `paid_renewals_run` on
    `--members` memberships, against `paid_renewals_run_one_by_one` (three transactions
    per membership) on `--sample` of another shop; renewals/s and the ratio;
(b) a remote rail answering after `--latency` s (an in-process stand-in for Alipay,
    idempotent by key, within the 500 requests/s limit): batched (calls from the thread
    pool) on `--remote` memberships against one by one (sequential calls) on `--remote-sample`;
(c) `--kill` memberships: the run is SIGKILLed half-way through, rerun, and every
    membership must have exactly one paid charge of the period, the rail exactly one paid
    charge per membership, one journal each, and the ledger check must pass.
Prints PASS/FAIL and exits non-zero on a FAIL.
"""
import argparse
import multiprocessing
import os
import signal
import sys
import threading
import time
from datetime import timedelta

from bench.common import scalar, setup_django


def seed(slug: str, members: int, owner, *, rail: str = "sandbox") -> str:
    """A shop with `members` memberships of ¥9.90 a month, their period ending today."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from pawpact.billing.models import PaymentMethod
    from pawpact.core.months import add_months
    from pawpact.customers.models import Customer
    from pawpact.loyalty.paid_models import PaidMembership, PaidPlan, PaidStatus
    from pawpact.tenants.services import shop_provision

    schema = shop_provision(name=f"Bench {slug}", slug=slug, owner=owner).schema_name
    today, now = timezone.localdate(), timezone.now()
    with schema_context(schema):
        plan = PaidPlan.objects.create(name="Monthly club", price_minor=990, months=1)
        customers = Customer.objects.bulk_create(
            Customer(name=f"Member {i}", phone=f"+86137{i:08d}", birth_date=today.replace(year=1990), created_at=now)
            for i in range(members)
        )  # fmt: skip
        methods = PaymentMethod.objects.bulk_create(
            PaymentMethod(customer=customer, rail=rail, token=f"tok_success.{customer.uuid.hex[:16]}",
                          label="Bench card", created_at=now) for customer in customers
        )  # fmt: skip
        PaidMembership.objects.bulk_create(
            PaidMembership(customer=customer, plan=plan, payment_method=method, request_key="seed",
                           status=PaidStatus.ACTIVE, period_start=add_months(today, -1), period_end=today,
                           created_at=now)
            for customer, method in zip(customers, methods, strict=True)
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return schema


class SlowRail:
    """A remote provider's latency, answering a repeated key with its first outcome."""

    name = "alipay"

    def __init__(self, latency: float) -> None:
        self.latency, self.paid, self._lock = latency, {}, threading.Lock()

    def charge(self, *, token, customer_ref, amount, idempotency_key, metadata):
        from pawpact.payments.base import ChargeResult
        from pawpact.payments.throttle import throttle

        throttle(self.name)  # as the real adapter does before each request
        time.sleep(self.latency)
        with self._lock:
            reference = self.paid.setdefault(idempotency_key, f"trade-{len(self.paid) + 1}")
        return ChargeResult(succeeded=True, outcome="succeeded", reference=reference)


def slow_rail_install(latency: float) -> SlowRail:
    from pawpact.loyalty import paid_renewal_batch, wallet_rail

    rail = SlowRail(latency)
    wallet_rail.rail_for = paid_renewal_batch.rail_for = lambda name, livemode: rail
    return rail


def timed(schema: str, one_by_one: bool) -> tuple[float, int]:
    from django_tenants.utils import schema_context

    from pawpact.loyalty.paid_renewals import paid_renewals_run, paid_renewals_run_one_by_one

    with schema_context(schema):
        start = time.perf_counter()
        ran = paid_renewals_run_one_by_one() if one_by_one else paid_renewals_run()
        return time.perf_counter() - start, ran


def books(schema: str) -> dict:
    """Paid renewals, memberships paid twice for the period, journals, rail charges, in flight."""
    from django.utils import timezone

    today = timezone.localdate()
    table = f'"{schema}".loyalty_paidcharge'
    return {
        "paid": scalar(f"SELECT count(*) FROM {table} WHERE status = 'paid' AND period_start = %s", [today]),
        "twice": scalar(f"SELECT count(*) FROM (SELECT membership_id FROM {table} WHERE status = 'paid' "
                        "AND period_start = %s GROUP BY membership_id HAVING count(*) > 1) AS t", [today]),  # fmt: skip
        "journals": scalar(f"SELECT count(*) FROM \"{schema}\".billing_journal WHERE kind = 'membership.paid'"),
        "rail": scalar("SELECT count(*) FROM sandbox_sandboxcharge WHERE shop_schema = %s AND outcome = 'succeeded'",
                       [schema]),  # fmt: skip
        "paying": scalar(f"SELECT count(*) FROM {table} WHERE status = 'paying'"),
    }


def _killed_run(schema: str) -> None:
    from django_tenants.utils import schema_context

    from pawpact.loyalty.paid_renewals import paid_renewals_run

    with schema_context(schema):
        paid_renewals_run()


def kill_and_rerun(schema: str, members: int) -> dict:
    from django.db import connections
    from django_tenants.utils import schema_context

    from pawpact.billing.selectors import ledger_check
    from pawpact.loyalty.paid_renewals import paid_renewals_run

    connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=_killed_run, args=(schema,))
    child.start()
    while books(schema)["rail"] < members // 2 and child.is_alive():
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    at_kill = books(schema)
    print(f"(c) SIGKILLed the run at {at_kill}: {at_kill['rail'] - at_kill['paid']} charged on the rail, not recorded")
    with schema_context(schema):  # the child is reaped: nothing is in flight, resume at once
        rerun = paid_renewals_run(resume_after=timedelta(0))
        check = ledger_check()
    after = books(schema)
    print(f"    rerun ran {rerun} charges → {after}; ledger check: {'ok' if check.is_ok else check.problems}")
    return {**after, "ledger_ok": check.is_ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--remote", type=int, default=2000)
    parser.add_argument("--remote-sample", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--kill", type=int, default=2000)
    args = parser.parse_args()
    setup_django()
    from pawpact.accounts.models import User

    owner = User.objects.create_user("owner@bench.test", "bench-password-123", name="Bench owner")
    checks: dict[str, bool] = {}

    batched_schema, single_schema = seed("renew-batch", args.members, owner), seed("renew-single", args.sample, owner)
    single_seconds, single_ran = timed(single_schema, one_by_one=True)
    batched_seconds, batched_ran = timed(batched_schema, one_by_one=False)
    single_rate, batched_rate = single_ran / single_seconds, batched_ran / batched_seconds
    print(f"(a) sandbox, one by one: {single_ran:,} renewals in {single_seconds:.2f} s = {single_rate:,.0f}/s")
    print(f"    sandbox, batched:    {batched_ran:,} renewals in {batched_seconds:.2f} s = {batched_rate:,.0f}/s"
          f"  ratio {batched_rate / single_rate:.1f}x")  # fmt: skip
    checks["(a) every membership renewed once"] = books(batched_schema)["paid"] == args.members == batched_ran
    checks["(a) batched at least 3x one by one"] = batched_rate >= 3 * single_rate

    rail = slow_rail_install(args.latency)
    remote_schema = seed("renew-remote", args.remote, owner, rail="alipay")
    remote_single_schema = seed("renew-remote-single", args.remote_sample, owner, rail="alipay")
    single_seconds, single_ran = timed(remote_single_schema, one_by_one=True)
    batched_seconds, batched_ran = timed(remote_schema, one_by_one=False)
    single_rate, batched_rate = single_ran / single_seconds, batched_ran / batched_seconds
    print(f"(b) {args.latency * 1000:.0f} ms rail, one by one: {single_ran:,} renewals in {single_seconds:.2f} s "
          f"= {single_rate:,.1f}/s")  # fmt: skip
    print(f"    {args.latency * 1000:.0f} ms rail, batched:    {batched_ran:,} renewals in {batched_seconds:.2f} s "
          f"= {batched_rate:,.0f}/s  ratio {batched_rate / single_rate:.1f}x")  # fmt: skip
    checks["(b) one paid trade per membership at the rail"] = len(rail.paid) == args.remote + args.remote_sample
    checks["(b) batched at least 10x one by one"] = batched_rate >= 10 * single_rate

    from pawpact.loyalty import paid_renewal_batch, wallet_rail
    from pawpact.payments.registry import rail_for

    wallet_rail.rail_for = paid_renewal_batch.rail_for = rail_for
    kill_schema = seed("renew-kill", args.kill, owner)
    after = kill_and_rerun(kill_schema, args.kill)
    checks["(c) zero memberships paid twice, zero double rail charges"] = after["twice"] == 0 and after["rail"] == args.kill
    checks["(c) every membership renewed once, one journal each"] = after["paid"] == after["journals"] == args.kill
    checks["(c) ledger check passes"] = after["ledger_ok"] and after["paying"] == 0

    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
