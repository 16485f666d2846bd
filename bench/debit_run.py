"""The debit run: batched (ours) against a naive one-transaction-per-debit loop.

    python -m bench.debit_run [--shops 100] [--contracts 1000] [--workers 2]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh
database on that server, dropped at exit), provisions shops, seeds ACTIVE contracts
on the sandbox rail with period 1 due today (seeding is not timed), then:
  (a) times the batched run over every shop (`--workers` processes) → debits/s;
  (b) on fresh shops, the naive loop and the batched run in one process over the
      same number of debits → debits/s each and the ratio;
  (c) verifies: the ledger check passes, no period has two succeeded attempts,
      the sandbox holds exactly one charge per paid period;
  (d) on fresh shops, starts the batched run in a child process, SIGKILLs it
      mid-run, reruns to completion, prints the duplicate count and the ledger check.
Prints PASS/FAIL for the targets and exits non-zero on any FAIL.
"""
import argparse
import io
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import asdict
from datetime import timedelta

from bench.common import scalar, setup_django, shops_seed, timed_runs, total

SCOPE = "Food, litter and deworming only"

TARGET_DEBITS = 100_000
TARGET_SECONDS = 120.0


# --- seeding (not timed) ---------------------------------------------------------


def seed(prefix: str, shops: int, contracts: int, owner) -> list[str]:
    """Shops with active contracts whose period 1 is due in 0 days (not timed)."""
    return shops_seed(prefix, shops, contracts, owner, first_due_in_days=0, scope=SCOPE)


# --- runs ------------------------------------------------------------------------


def run_batched_in_schema(schema: str) -> dict:
    from django_tenants.utils import schema_context

    from pawpact.billing.services.debit_run import debit_run_shop

    with schema_context(schema):
        return asdict(debit_run_shop())


def run_naive_in_schema(schema: str) -> dict:
    from django_tenants.utils import schema_context

    from pawpact.billing.services.debit_run import debit_run_naive

    with schema_context(schema):
        return asdict(debit_run_naive())


def _kill_target_run(schemas: list[str]) -> None:
    from django.db import connections

    connections.close_all()
    for schema in schemas:
        run_batched_in_schema(schema)


# --- checks ----------------------------------------------------------------------


def duplicates(schemas: list[str]) -> dict[str, int]:
    """Periods charged twice: in the shop's books, and on the rail itself."""
    in_books = sum(
        scalar(
            f'SELECT count(*) FROM (SELECT period_id FROM "{schema}".billing_debitattempt'
            " WHERE status = 'succeeded' GROUP BY period_id HAVING count(*) > 1) AS d"
        )
        for schema in schemas
    )
    on_rail = scalar(
        "SELECT count(*) FROM (SELECT shop_schema, split_part(idempotency_key, ':', 2),"
        " split_part(idempotency_key, ':', 3)"
        " FROM sandbox_sandboxcharge WHERE outcome = 'succeeded' AND shop_schema = ANY(%s)"
        " GROUP BY 1, 2, 3 HAVING count(*) > 1) AS d",
        [schemas],
    )
    return {"in_books": in_books, "on_rail": on_rail}


def rail_charges(schemas: list[str]) -> int:
    return scalar("SELECT count(*) FROM sandbox_sandboxcharge WHERE shop_schema = ANY(%s)", [schemas])


def counts(schemas: list[str]) -> dict[str, int]:
    paid = sum(scalar(f"SELECT count(*) FROM \"{s}\".billing_debitperiod WHERE status = 'paid'") for s in schemas)
    started = sum(
        scalar(f"SELECT count(*) FROM \"{s}\".billing_debitattempt WHERE status = 'started'") for s in schemas
    )
    attempts = sum(scalar(f'SELECT count(*) FROM "{s}".billing_debitattempt') for s in schemas)
    charges = scalar(
        "SELECT count(*) FROM sandbox_sandboxcharge WHERE outcome = 'succeeded' AND shop_schema = ANY(%s)", [schemas]
    )
    return {"paid": paid, "started": started, "attempts": attempts, "rail_charges": charges}


def ledger_check() -> tuple[bool, str]:
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("billing_ledger_check", stdout=out)
    except CommandError as error:
        failures = [line for line in out.getvalue().splitlines() if "FAILED" in line][:5]
        return False, f"{error} " + " | ".join(failures)
    return True, out.getvalue().splitlines()[-1]


# --- main ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=100)
    parser.add_argument("--contracts", type=int, default=1000, help="active contracts (due debits) per shop")
    parser.add_argument("--workers", type=int, default=2, help="processes for the batched run (a)")
    parser.add_argument("--naive-shops", type=int, default=2)
    parser.add_argument("--naive-contracts", type=int, default=1000)
    parser.add_argument("--kill-shops", type=int, default=5)
    parser.add_argument("--kill-contracts", type=int, default=1000)
    args = parser.parse_args()

    setup_django()
    from pawpact.accounts.models import User

    owner = User.objects.create_user("owner@bench.test", "bench-password-123", name="Bench owner")
    checks: dict[str, bool] = {}

    # (a) the batched run over every shop
    start = time.perf_counter()
    main_schemas = seed("run", args.shops, args.contracts, owner)
    expected = args.shops * args.contracts
    print(f"seeded {args.shops} shops x {args.contracts} contracts ({expected:,} due debits) in "
          f"{time.perf_counter() - start:.1f} s (not timed)")  # fmt: skip
    seconds, report = timed_runs(run_batched_in_schema, main_schemas, args.workers)
    rate = report["attempted"] / seconds
    target = TARGET_SECONDS * expected / TARGET_DEBITS
    print(f"(a) batched, {args.workers} process(es): {report['attempted']:,} debits in {seconds:.2f} s "
          f"= {rate:,.0f} debits/s  {report}")  # fmt: skip
    checks[f"{expected:,} debits in <= {target:.1f} s (100,000 in 120 s, scaled)"] = (
        report["succeeded"] == expected and seconds <= target
    )

    # (b) naive against batched, one process each, on fresh shops of the same size
    naive_schemas = seed("naive", args.naive_shops, args.naive_contracts, owner)
    batched_schemas = seed("batch", args.naive_shops, args.naive_contracts, owner)
    naive_seconds, naive = timed_runs(run_naive_in_schema, naive_schemas, 1)
    single_seconds, single = timed_runs(run_batched_in_schema, batched_schemas, 1)
    naive_rate = naive["attempted"] / naive_seconds
    single_rate = single["attempted"] / single_seconds
    print(f"(b) naive loop, 1 process:  {naive['attempted']:,} debits in {naive_seconds:.2f} s "
          f"= {naive_rate:,.0f} debits/s")  # fmt: skip
    print(f"    batched,    1 process:  {single['attempted']:,} debits in {single_seconds:.2f} s "
          f"= {single_rate:,.0f} debits/s")  # fmt: skip
    print(f"    ratio batched/naive = {single_rate / naive_rate:.1f}x (1 process each); "
          f"(a)/naive = {rate / naive_rate:.1f}x")  # fmt: skip

    # (c) verification of everything charged so far
    charged = main_schemas + naive_schemas + batched_schemas
    found = counts(charged)
    dupes = duplicates(charged)
    ledger_ok, ledger_line = ledger_check()
    print(f"(c) {found}; duplicates {dupes}; ledger check: {ledger_line}")
    checks["(c) ledger check passes"] = ledger_ok
    checks["(c) zero periods with >1 succeeded attempt, zero double rail charges"] = not any(dupes.values())
    checks["(c) sandbox charges == paid periods"] = found["rail_charges"] == found["paid"] == found["attempts"]

    # (d) kill a worker mid-run, then rerun to completion
    kill_schemas = seed("kill", args.kill_shops, args.kill_contracts, owner)
    kill_total = args.kill_shops * args.kill_contracts
    from django.db import connections

    connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=_kill_target_run, args=(kill_schemas,))
    child.start()
    # Kill in the middle of a batch's rail calls: charged on the rail, not yet recorded.
    from pawpact.billing.services.debit_run import BATCH_SIZE as batch
    kill_at = max(batch // 2, (kill_total // 2) // batch * batch + batch // 2)
    while rail_charges(kill_schemas) < kill_at and child.is_alive():
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    at_kill = counts(kill_schemas)
    print(f"(d) SIGKILLed the run (exit code {child.exitcode}) at {at_kill}: "
          f"{at_kill['rail_charges'] - at_kill['paid']} charged on the rail but not recorded, "
          f"{at_kill['started']} attempts left STARTED")  # fmt: skip
    # The child is dead and reaped: nothing can be in flight, so resume at once.
    from django_tenants.utils import schema_context

    from pawpact.billing.services.debit_run import debit_run_shop

    resumed = []
    for schema in kill_schemas:
        with schema_context(schema):
            resumed.append(asdict(debit_run_shop(resume_after=timedelta(0))))
    after = counts(kill_schemas)
    kill_dupes = duplicates(kill_schemas)
    ledger_ok, ledger_line = ledger_check()
    print(f"    rerun {total(resumed)} → {after}")
    print(f"    duplicate count: {sum(kill_dupes.values())} {kill_dupes}; ledger check: {ledger_line}")
    checks["(d) zero duplicates after kill + rerun"] = not any(kill_dupes.values())
    checks["(d) every period paid once after the rerun"] = (
        after["paid"] == after["rail_charges"] == kill_total and after["started"] == 0
    )
    checks["(d) ledger balanced after kill + rerun"] = ledger_ok

    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
