"""Loyalty on a big shop: tier re-evaluation and RFM scoring, and a points replay.

    python -m bench.loyalty [--members 100000] [--events 1000000] [--sample 2000] [--batch 10000]

Starts a throw-away embedded PostgreSQL (or a fresh database on DATABASE_URL's server),
provisions one shop and seeds it (INSERT … SELECT; not timed): `--members` customers with
two years of history (0–24 paid months each, one in twelve debits late, and shop orders).

(a) Tiers + RFM: the paid-months ladder saved, then the background re-evaluation of
every member (pawpact.loyalty.evaluation, SQL in chunks) and the shop's RFM scoring,
timed together as members/s; against (b) the baseline measured in the same run: the
same ladder evaluated member by member in Python (ORM reads of each member's activity,
one save each) on `--sample` members, as members/s and the ratio. The SQL result must
equal the Python one on the sample. Target: **100,000 members in ≤ 20 s**.

(c) Points: `--events` debit.paid events (10 % of them duplicates of others, 5 % moved
out of order) replayed through `points_events_apply` in batches of `--batch`; the points
multipliers are 1 for this part, so every member's balance is exactly 100 × their
distinct events. Prints events/s, the double awards (must be 0) and the members whose
balance is off (must be 0). Exits non-zero on any FAIL.
"""
import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.common import scalar, setup_django

TARGET_SECONDS_PER_100K = 20.0


def seed(*, members: int):
    from django.db import connection
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.tenants.services import shop_provision

    owner = User.objects.create_user("owner@bench.test", "bench-pass-123", name="Bench owner")
    shop = shop_provision(name="Bench Pets", slug="bench", owner=owner)
    with schema_context(shop.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_customer (uuid, name, phone, birth_date, id_verification, standing, created_at) "
            "SELECT gen_random_uuid(), 'Member ' || n, '1' || lpad(n::text, 10, '0'), "
            "date '1980-01-01' + (n %% 9000), 'unverified', CASE WHEN n %% 50 = 0 THEN 'overdue' ELSE 'current' END, "
            "now() - interval '2 years' FROM generate_series(1, %s) AS n",
            [members],
        )
        # Debits: member n paid (n % 25) months, the latest this month; every twelfth one late.
        cursor.execute(
            "INSERT INTO loyalty_activity (customer_id, kind, source_key, amount_minor, on_time, occurred_at) "
            "SELECT c.id, 'debit', 'seed.debit:' || c.id || ':' || m, 39900, (c.id + m) % 12 <> 0, "
            "now() - make_interval(days => 30 * m::int) FROM customers_customer c, "
            "generate_series(0, 23) AS m WHERE m < c.id % 25"
        )
        cursor.execute(
            "INSERT INTO loyalty_activity (customer_id, kind, source_key, amount_minor, on_time, occurred_at) "
            "SELECT c.id, 'order', 'seed.order:' || c.id || ':' || k, 2000 + (c.id * 37 + k * 101) % 30000, true, "
            "now() - make_interval(days => ((c.id * 13 + k * 71) % 730)::int) FROM customers_customer c, "
            "generate_series(0, 5) AS k WHERE k < c.id % 7"
        )
        cursor.execute("ANALYZE")
    return shop


def python_evaluate(customer_ids: list[int], rule_set, today) -> dict[int, int]:
    """The baseline: each member read and saved on their own (what the SQL replaces)."""
    from pawpact.billing.holds import HELD_STANDINGS
    from pawpact.customers.models import Customer
    from pawpact.loyalty.evaluation import STREAK_LIFT
    from pawpact.loyalty.models import Activity, Membership

    tiers = list(rule_set.tiers.order_by("-rank"))
    top = tiers[0].rank
    ranks = {}
    for customer_id in customer_ids:
        customer = Customer.objects.get(pk=customer_id)
        membership, _ = Membership.objects.get_or_create(customer=customer)
        if customer.standing in HELD_STANDINGS:
            ranks[customer_id] = membership.tier_rank
            continue
        debits = list(Activity.objects.filter(customer=customer, kind="debit").order_by("occurred_at"))
        streak = 0
        for activity in debits:
            streak = streak + 1 if activity.on_time else 0
        qualified = next((t.rank for t in tiers if len(debits) >= t.min_paid_months), -1)
        reached = min(top, qualified + 1 if streak >= STREAK_LIFT else qualified)
        membership.tier_rank = max(min(membership.tier_rank, top), reached)
        membership.tier = next(t for t in tiers if t.rank == membership.tier_rank) if membership.tier_rank >= 0 else None
        if reached >= 0 and reached >= membership.tier_rank:
            membership.qualified_on = today
        membership.save()
        ranks[customer_id] = membership.tier_rank
    return ranks


def tiers_part(*, members: int, sample: int) -> bool:
    from django.db import transaction
    from django.utils import timezone

    from pawpact.customers.models import Customer
    from pawpact.loyalty.evaluation import reevaluation_run
    from pawpact.loyalty.models import Membership, Reevaluation, TierRuleSet
    from pawpact.loyalty.rfm import rfm_scores_refresh
    from pawpact.loyalty.tiers import tier_preset, tier_rules_clean

    cleaned = tier_rules_clean(basis="paid_months", tiers=tier_preset("paid_months"))
    with transaction.atomic():
        rule_set = TierRuleSet.objects.create(basis="paid_months")
        rule_set.tiers.bulk_create([rule_set.tiers.model(rule_set=rule_set, rank=r, **t) for r, t in enumerate(cleaned)])
        run = Reevaluation.objects.create(rule_set=rule_set, total=Customer.objects.count())
    started = time.perf_counter()
    run = reevaluation_run(reevaluation_id=run.pk)
    tier_seconds = time.perf_counter() - started
    scored = rfm_scores_refresh()
    sql_seconds = time.perf_counter() - started
    sql_rate = members / sql_seconds
    ids = random.Random(7).sample(list(Customer.objects.values_list("id", flat=True)), min(sample, members))
    sql_ranks = dict(Membership.objects.filter(customer_id__in=ids).values_list("customer_id", "tier_rank"))
    Membership.objects.filter(customer_id__in=ids).update(tier_rank=-1, tier=None, qualified_on=None)
    started = time.perf_counter()
    python_ranks = python_evaluate(ids, rule_set, timezone.localdate())
    python_rate = len(ids) / (time.perf_counter() - started)
    mismatches = sum(1 for i in ids if python_ranks[i] != sql_ranks[i])
    limit = TARGET_SECONDS_PER_100K * members / 100_000
    ok = sql_seconds <= limit and mismatches == 0 and run.done == members and scored == members
    print(f"(a) tiers + RFM, SQL in chunks: {members:,} members in {sql_seconds:.1f} s = {sql_rate:,.0f} members/s "
          f"(tiers {tier_seconds:.1f} s, RFM {sql_seconds - tier_seconds:.1f} s; target ≤ {limit:.1f} s)  "
          f"{'PASS' if sql_seconds <= limit else 'FAIL'}")  # fmt: skip
    print(f"(b) member by member in Python: {len(ids):,} members at {python_rate:,.0f} members/s; "
          f"SQL / Python = {sql_rate / python_rate:,.1f}×; rank mismatches on the sample: {mismatches}  "
          f"{'PASS' if mismatches == 0 else 'FAIL'}")  # fmt: skip
    return ok


def replay_events(*, count: int, member_ids: list[int]):
    """`count` events: distinct ones, plus 10 % duplicates, then 5 % moved elsewhere."""
    from pawpact.loyalty.points import EarnEvent

    rng = random.Random(42)
    distinct = count - count // 10
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = [
        EarnEvent(source_key=f"bench.debit:{n}", source_event="debit.paid", customer_id=member_ids[n % len(member_ids)],
                  base_points=100, occurred_at=start + timedelta(seconds=n), activity="debit", amount_minor=39_900)
        for n in range(distinct)
    ]  # fmt: skip
    events += [events[rng.randrange(distinct)] for _ in range(count - distinct)]
    rng.shuffle(events[distinct:])
    order = list(range(len(events)))
    for i in rng.sample(range(len(events)), len(events) // 20):
        j = rng.randrange(len(events))
        order[i], order[j] = order[j], order[i]
    return [events[i] for i in order], distinct


def points_part(*, events: int, batch: int) -> bool:
    from collections import Counter

    from pawpact.customers.models import Customer
    from pawpact.loyalty.models import Tier
    from pawpact.loyalty.points import points_events_apply

    Tier.objects.update(points_multiplier=1, birthday_multiplier=1)
    Customer.objects.update(standing="current")
    member_ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    stream, distinct = replay_events(count=events, member_ids=member_ids)
    expected = Counter()
    for key, customer_id in {(e.source_key, e.customer_id) for e in stream}:
        expected[customer_id] += 100
    before = dict(Customer.objects.values_list("id", "membership__points_balance"))
    started = time.perf_counter()
    for offset in range(0, len(stream), batch):
        points_events_apply(events=stream[offset:offset + batch])
    seconds = time.perf_counter() - started
    entries = scalar("SELECT count(*) FROM loyalty_pointsentry WHERE source_key LIKE 'bench.debit:%%'")
    doubles = entries - distinct
    after = dict(Customer.objects.values_list("id", "membership__points_balance"))
    off = sum(1 for i in member_ids if (after[i] or 0) - (before[i] or 0) != expected[i])
    ok = doubles == 0 and off == 0
    print(f"(c) points: {len(stream):,} events ({len(stream) - distinct:,} duplicates, 5 % out of order) in "
          f"{seconds:.1f} s = {len(stream) / seconds:,.0f} events/s; double awards {doubles}, balances off {off}  "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    setup_django()
    from django_tenants.utils import schema_context

    started = time.perf_counter()
    shop = seed(members=args.members)
    with schema_context(shop.schema_name):
        print(f"seeded {args.members:,} members, {scalar('SELECT count(*) FROM loyalty_activity'):,} activities "
              f"in {time.perf_counter() - started:.0f} s (not timed)")  # fmt: skip
        results = [tiers_part(members=args.members, sample=args.sample)]
        results.append(points_part(events=args.events, batch=args.batch))
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
