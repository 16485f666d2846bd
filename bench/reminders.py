"""The reminder run: batched (ours) against a naive one-message_send-per-period loop.

    python -m bench.reminders [--shops 100] [--contracts 1000] [--workers 1]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh
database on that server, dropped at exit), provisions shops, seeds ACTIVE contracts
whose period 1 is due in 3 days (bulk inserts, not timed), then:
  (a) times `reminder_run_shop` over every shop (`--workers` processes) with the
      database backend → reminders/s (one reminder = SMS + in-app, two rows);
  (b) on fresh shops, the naive loop (`reminder_run_naive`: one `message_send` and one
      save per period) and the batched run in one process over the same number of
      periods → reminders/s each and the ratio;
  (c) verifies: every due period reminded once with exactly two messages, a rerun
      stores nothing, the bodies state amount, n of N, date and scope;
  (d) the cap at batch scale: two marketing messages to each customer of one shop in
      one `message_send_many` → exactly one sent and one suppressed per customer.
Prints PASS/FAIL for the target (≥ 2,000 reminders/s in (a)) and the checks; exits
non-zero on any FAIL.
"""
import argparse
import sys
import time
from dataclasses import asdict

from bench.common import scalar, setup_django, shops_seed, timed_runs

TARGET_PER_SECOND = 2_000
SCOPE = "仅用于宠粮、猫砂、驱虫 / food, litter and deworming only"


# --- seeding (not timed) ---------------------------------------------------------


def seed(prefix: str, shops: int, contracts: int, owner) -> list[str]:
    """Shops with active contracts whose period 1 is due in 3 days (not timed)."""
    return shops_seed(prefix, shops, contracts, owner, first_due_in_days=3, scope=SCOPE)


# --- runs ------------------------------------------------------------------------


def run_batched_in_schema(schema: str) -> dict:
    from django_tenants.utils import schema_context

    from pawpact.billing.services.reminders import reminder_run_shop

    with schema_context(schema):
        return asdict(reminder_run_shop())


def run_naive_in_schema(schema: str) -> dict:
    from django_tenants.utils import schema_context

    from pawpact.billing.services.reminders import reminder_run_naive

    with schema_context(schema):
        return asdict(reminder_run_naive())


# --- checks ----------------------------------------------------------------------


def counts(schemas: list[str]) -> dict[str, int]:
    total = {"reminded": 0, "messages": 0, "periods_without_two_messages": 0, "bad_bodies": 0}
    for s in schemas:
        total["reminded"] += scalar(f"SELECT count(*) FROM \"{s}\".billing_debitperiod WHERE status = 'reminded'")
        total["messages"] += scalar(f'SELECT count(*) FROM "{s}".messaging_message')
        total["periods_without_two_messages"] += scalar(
            f"SELECT count(*) FROM \"{s}\".billing_debitperiod p JOIN \"{s}\".billing_contract c ON c.id = p.contract_id"
            f" WHERE p.status = 'reminded' AND (SELECT count(*) FROM \"{s}\".messaging_message m"
            f"  WHERE m.dedupe_key IN ('reminder:' || c.uuid || ':' || p.number || ':' || p.due_date || '#sms',"
            f"                         'reminder:' || c.uuid || ':' || p.number || ':' || p.due_date || '#in_app')) <> 2"
        )
        total["bad_bodies"] += scalar(
            f"SELECT count(*) FROM \"{s}\".messaging_message WHERE NOT (body LIKE '%%第 1/12 期 ¥399.00 将于 %%'"
            f" AND body LIKE '%%Period 1 of 12, ¥399.00, will be debited on %%'"
            f" AND body LIKE '%%for food, litter and deworming only.')"
        )
    return total


def cap_at_scale(schema: str) -> tuple[float, int, int, int]:
    """Two marketing drafts per customer in one batch: (seconds, customers, sent, suppressed)."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from pawpact.customers.models import Customer
    from pawpact.messaging.models import Message
    from pawpact.messaging.services import MessageDraft, message_send_many

    with schema_context(schema):
        ids = list(Customer.objects.values_list("pk", flat=True))
        day = timezone.localdate().isoformat()
        drafts = [
            MessageDraft(customer_id=pk, topic="promo", category="marketing", channels=("in_app",), subject="",
                         body=f"Offer {n}", dedupe_key=f"bench-promo:{day}:{pk}:{n}")
            for pk in ids for n in (1, 2)
        ]  # fmt: skip
        start = time.perf_counter()
        message_send_many(drafts=drafts)
        seconds = time.perf_counter() - start
        sent = Message.objects.filter(topic="promo", status="sent").count()
        suppressed = Message.objects.filter(topic="promo", status="suppressed").count()
    return seconds, len(ids), sent, suppressed


# --- main ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=100)
    parser.add_argument("--contracts", type=int, default=1000, help="active contracts (due reminders) per shop")
    parser.add_argument("--workers", type=int, default=1, help="processes for the batched run (a)")
    parser.add_argument("--naive-shops", type=int, default=1)
    parser.add_argument("--naive-contracts", type=int, default=1000)
    args = parser.parse_args()

    setup_django()
    from pawpact.accounts.models import User

    owner = User.objects.create_user("owner@bench.test", "bench-password-123", name="Bench owner")
    checks: dict[str, bool] = {}

    # (a) the batched run over every shop
    start = time.perf_counter()
    main_schemas = seed("rem", args.shops, args.contracts, owner)
    expected = args.shops * args.contracts
    print(f"seeded {args.shops} shops x {args.contracts} contracts ({expected:,} periods due in 3 days) in "
          f"{time.perf_counter() - start:.1f} s (not timed)")  # fmt: skip
    seconds, report = timed_runs(run_batched_in_schema, main_schemas, args.workers)
    rate = report["periods"] / seconds
    print(f"(a) batched, {args.workers} process(es), database backend: {report['periods']:,} reminders "
          f"({report['messages']:,} messages) in {seconds:.2f} s = {rate:,.0f} reminders/s")  # fmt: skip
    checks[f"(a) >= {TARGET_PER_SECOND:,} reminders/s"] = rate >= TARGET_PER_SECOND
    checks["(a) every due period reminded"] = report["periods"] == expected and report["messages"] == 2 * expected

    # (b) naive against batched, one process each, on fresh shops of the same size
    naive_schemas = seed("nai", args.naive_shops, args.naive_contracts, owner)
    batched_schemas = seed("bat", args.naive_shops, args.naive_contracts, owner)
    naive_seconds, naive = timed_runs(run_naive_in_schema, naive_schemas, 1)
    single_seconds, single = timed_runs(run_batched_in_schema, batched_schemas, 1)
    naive_rate = naive["periods"] / naive_seconds
    single_rate = single["periods"] / single_seconds
    print(f"(b) naive loop, 1 process: {naive['periods']:,} reminders in {naive_seconds:.2f} s "
          f"= {naive_rate:,.0f} reminders/s")  # fmt: skip
    print(f"    batched,    1 process: {single['periods']:,} reminders in {single_seconds:.2f} s "
          f"= {single_rate:,.0f} reminders/s")  # fmt: skip
    print(f"    ratio batched/naive = {single_rate / naive_rate:.1f}x (same sample size); "
          f"(a)/naive = {rate / naive_rate:.1f}x")  # fmt: skip

    # (c) verification, and a rerun that must store nothing
    everything = main_schemas + naive_schemas + batched_schemas
    total_periods = expected + 2 * args.naive_shops * args.naive_contracts
    found = counts(everything)
    print(f"(c) {found}")
    checks["(c) every period reminded once, two messages each"] = (
        found["reminded"] == total_periods
        and found["messages"] == 2 * total_periods
        and found["periods_without_two_messages"] == 0
    )
    checks["(c) every body states amount, n of N, date and scope"] = found["bad_bodies"] == 0
    rerun_seconds, rerun = timed_runs(run_batched_in_schema, main_schemas[:5], 1)
    after = counts(everything)
    print(f"    rerun over 5 shops: {rerun} in {rerun_seconds:.2f} s; messages {after['messages']:,}")
    checks["(c) a rerun stores nothing"] = rerun["periods"] == 0 and after == found

    # (d) the marketing cap at batch scale
    cap_seconds, customers, sent, suppressed = cap_at_scale(main_schemas[0])
    print(f"(d) cap: {2 * customers:,} marketing drafts for {customers:,} customers in one batch, "
          f"{cap_seconds:.2f} s: {sent:,} sent, {suppressed:,} suppressed")  # fmt: skip
    checks["(d) exactly one marketing message a day per customer"] = sent == customers == suppressed

    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
