"""Tier evaluation in SQL, for a range of members at once (never member by member in Python).

One statement per chunk of customer ids: it aggregates the members' activity (paid
months ever; spend and visits per rolling window the ladder uses; the on-time streak
= on-time debits since the last late one), picks the highest tier whose thresholds
are met, lifts it one level for a streak of STREAK_LIFT on-time debits, and
- upgrades at once (a member never goes down here: the yearly drop does that);
- records `qualified_on` = today for members who meet their own level's minimum;
- leaves members with a held standing (overdue, default) where they are: no tier
  progress while a payment is overdue (pawpact.billing.holds).

`reevaluation_run` walks every member in chunks, committing progress after each, so
the workspace can show how far a rule change has got; `tier_drop_run` drops by one
level every member who has not met their level's minimum for a year.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from pawpact.billing.holds import HELD_STANDINGS
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.models import Reevaluation, ReevaluationStatus, Tier, TierBasis, TierRuleSet

logger = logging.getLogger(__name__)

STREAK_LIFT = 6  # on-time debits in a row that lift a member one level early
CHUNK = 20_000


def active_rule_set() -> TierRuleSet | None:
    return TierRuleSet.objects.filter(active=True).first()


def _window_start(today: date, months: int | None) -> date | None:
    return None if months is None else today - relativedelta(months=months)


def _qualify_sql(tiers: list[Tier], basis: str) -> str:
    """CASE … END: the rank of the highest tier whose thresholds the metrics meet, else -1."""
    branches = []
    for tier in sorted(tiers, key=lambda t: -t.rank):
        window = "all" if tier.window_months is None else str(tier.window_months)
        conditions = []
        if basis == TierBasis.PAID_MONTHS and tier.min_paid_months is not None:
            conditions.append(f"coalesce(m.paid_months, 0) >= {int(tier.min_paid_months)}")
        if basis == TierBasis.SPEND_VISITS:
            if tier.min_spend_minor is not None:
                conditions.append(f"coalesce(m.spend_{window}, 0) >= {int(tier.min_spend_minor)}")
            if tier.min_visits is not None:
                conditions.append(f"coalesce(m.visits_{window}, 0) >= {int(tier.min_visits)}")
        if conditions:
            branches.append(f"WHEN {' OR '.join(conditions)} THEN {int(tier.rank)}")
    return f"CASE {' '.join(branches)} ELSE -1 END" if branches else "-1"


def _metrics_sql(tiers: list[Tier], today: date) -> tuple[str, dict]:
    windows = sorted({tier.window_months for tier in tiers if tier.window_months is not None})
    params: dict = {}
    columns = [
        "count(*) FILTER (WHERE a.kind = 'debit') AS paid_months",
        "coalesce(sum(a.amount_minor) FILTER (WHERE a.kind IN ('debit', 'order')), 0) AS spend_all",
        "count(*) FILTER (WHERE a.kind IN ('order', 'visit')) AS visits_all",
        (
            "count(*) FILTER (WHERE a.kind = 'debit' AND a.on_time"
            " AND a.occurred_at > coalesce(l.last_late, '-infinity')) AS streak"
        ),
    ]
    for months in windows:
        params[f"since_{months}"] = _window_start(today, months)
        columns.append(
            f"coalesce(sum(a.amount_minor) FILTER (WHERE a.kind IN ('debit', 'order')"
            f" AND a.occurred_at >= %(since_{months})s), 0) AS spend_{months}"
        )
        columns.append(
            f"count(*) FILTER (WHERE a.kind IN ('order', 'visit') AND a.occurred_at >= %(since_{months})s)"
            f" AS visits_{months}"
        )
    return ", ".join(columns), params


def _evaluate_sql(rule_set: TierRuleSet, tiers: list[Tier], today: date, ids: list[int] | None) -> tuple[str, dict]:
    columns, params = _metrics_sql(tiers, today)
    top = max(tier.rank for tier in tiers)
    only = "AND {col} = ANY(%(ids)s)" if ids else ""
    sql = f"""
WITH late AS (
    SELECT customer_id, max(occurred_at) AS last_late FROM loyalty_activity
    WHERE customer_id BETWEEN %(lo)s AND %(hi)s {only.format(col="customer_id")} AND kind = 'debit' AND NOT on_time
    GROUP BY customer_id
), m AS (
    SELECT a.customer_id, {columns}
    FROM loyalty_activity a LEFT JOIN late l ON l.customer_id = a.customer_id
    WHERE a.customer_id BETWEEN %(lo)s AND %(hi)s {only.format(col="a.customer_id")}
    GROUP BY a.customer_id
), q AS (
    SELECT ms.id AS membership_id, ms.tier_rank AS before_rank, ms.tier_id AS before_tier,
           ms.qualified_on AS before_qualified, {_qualify_sql(tiers, rule_set.basis)} AS qualified,
           coalesce(m.streak, 0) AS streak, c.standing = ANY(%(held)s) AS held
    FROM loyalty_membership ms
    JOIN customers_customer c ON c.id = ms.customer_id
    LEFT JOIN m ON m.customer_id = ms.customer_id
    WHERE ms.customer_id BETWEEN %(lo)s AND %(hi)s {only.format(col="ms.customer_id")}
), r AS (
    SELECT q.*, CASE WHEN held THEN -1 ELSE LEAST({top},
                CASE WHEN streak >= {STREAK_LIFT} THEN qualified + 1 ELSE qualified END) END AS reached
    FROM q
), t AS (
    SELECT r.*, GREATEST(LEAST(r.before_rank, {top}), r.reached) AS new_rank,
           CASE WHEN r.reached >= LEAST(r.before_rank, {top}) AND r.reached >= 0
                THEN %(today)s::date ELSE r.before_qualified END AS new_qualified
    FROM r
), n AS (
    SELECT t.*, nt.id AS new_tier FROM t
    LEFT JOIN loyalty_tier nt ON nt.rule_set_id = %(rule_set)s AND nt.rank = t.new_rank
), u AS (
    UPDATE loyalty_membership ms SET tier_rank = n.new_rank, tier_id = n.new_tier, qualified_on = n.new_qualified,
        tier_since = CASE WHEN n.new_rank > n.before_rank THEN %(today)s ELSE ms.tier_since END
    FROM n WHERE ms.id = n.membership_id AND (n.new_rank <> n.before_rank
        OR n.new_tier IS DISTINCT FROM n.before_tier OR n.new_qualified IS DISTINCT FROM n.before_qualified)
    RETURNING ms.customer_id, n.before_rank, n.new_rank, n.new_tier, (n.new_rank > n.before_rank) AS upgraded
), h AS (
    INSERT INTO loyalty_tierchange (customer_id, from_rank, to_rank, tier_id, why, changed_on)
    SELECT customer_id, before_rank, new_rank, new_tier, 'up', %(today)s FROM u WHERE upgraded
)
SELECT (SELECT count(*) FROM n), (SELECT count(*) FROM u WHERE upgraded)
"""
    params.update(rule_set=rule_set.pk, today=today, held=list(HELD_STANDINGS))
    return sql, params


def memberships_ensure(*, lo: int, hi: int, ids: list[int] | None = None) -> None:
    """Every customer in the range has a membership row (entry values)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO loyalty_membership (customer_id, tier_rank, points_balance, points_frozen) "
            "SELECT id, -1, 0, 0 FROM customers_customer WHERE id BETWEEN %s AND %s "
            "AND (%s::bigint[] IS NULL OR id = ANY(%s)) ON CONFLICT (customer_id) DO NOTHING",
            [lo, hi, ids, ids],
        )


def members_evaluate(
    *, lo: int, hi: int, ids: list[int] | None = None, rule_set: TierRuleSet | None = None,
    clock: Clock = default_clock,
) -> tuple[int, int]:  # fmt: skip
    """Evaluate the members with customer ids in [lo, hi] (and in `ids` when given): (evaluated, upgraded)."""
    rule_set = rule_set or active_rule_set()
    if rule_set is None:
        return 0, 0
    tiers = list(rule_set.tiers.all())
    memberships_ensure(lo=lo, hi=hi, ids=ids)
    sql, params = _evaluate_sql(rule_set, tiers, clock.today(), ids)
    with connection.cursor() as cursor:
        if ids is None:  # a whole chunk: aggregate and sort in memory, not on disk
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, {**params, "lo": lo, "hi": hi, "ids": ids})
        evaluated, upgraded = cursor.fetchone()
    return evaluated, upgraded


def members_evaluate_ids(*, ids: list[int], clock: Clock = default_clock) -> tuple[int, int]:
    """Evaluate these members now (after their activity changed): upgrades at once."""
    if not ids:
        return 0, 0
    return members_evaluate(lo=min(ids), hi=max(ids), ids=sorted(set(ids)), clock=clock)


def reevaluation_run(*, reevaluation_id: int, chunk: int = CHUNK, clock: Clock = default_clock) -> Reevaluation:
    """Evaluate every member chunk by chunk; each chunk commits with the progress so far.
    A run whose rule set is no longer active stops: the newer rules' run does the work."""
    run = Reevaluation.objects.select_related("rule_set").get(pk=reevaluation_id)
    if run.status in (ReevaluationStatus.DONE, ReevaluationStatus.FAILED):
        return run
    bounds = Customer.objects.order_by("id").values_list("id", flat=True)
    first, last = bounds.first(), bounds.last()
    Reevaluation.objects.filter(pk=run.pk).update(status=ReevaluationStatus.RUNNING, done=0, upgraded=0)
    lo = first or 0
    while first is not None and lo <= last:
        if not TierRuleSet.objects.filter(pk=run.rule_set_id, active=True).exists():
            break
        hi = lo + chunk - 1
        with transaction.atomic():
            evaluated, upgraded = members_evaluate(lo=lo, hi=hi, rule_set=run.rule_set, clock=clock)
            run.done += evaluated
            run.upgraded += upgraded
            Reevaluation.objects.filter(pk=run.pk).update(done=run.done, upgraded=run.upgraded)
        lo = hi + 1
    run.status, run.finished_at = ReevaluationStatus.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def tier_drop_run(*, clock: Clock = default_clock) -> int:
    """Members who have not met their level's minimum for a year go down one level
    (and have another year at the new level); how many dropped."""
    rule_set = active_rule_set()
    if rule_set is None:
        return 0
    today = clock.today()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH d AS (
                UPDATE loyalty_membership ms SET tier_rank = ms.tier_rank - 1, tier_since = %(today)s,
                    qualified_on = %(today)s,
                    tier_id = (SELECT id FROM loyalty_tier WHERE rule_set_id = %(rule_set)s AND rank = ms.tier_rank - 1)
                WHERE ms.tier_rank > 0 AND coalesce(ms.qualified_on, ms.tier_since, '-infinity'::date) <= %(cutoff)s
                RETURNING ms.customer_id, ms.tier_rank, ms.tier_id
            )
            INSERT INTO loyalty_tierchange (customer_id, from_rank, to_rank, tier_id, why, changed_on)
            SELECT customer_id, tier_rank + 1, tier_rank, tier_id, 'drop', %(today)s FROM d
            """,
            {"today": today, "cutoff": today - timedelta(days=365), "rule_set": rule_set.pk},
        )
        return cursor.rowcount


def tier_daily_run(*, clock: Clock = default_clock) -> tuple[int, int]:
    """Every member evaluated (rolling windows moved), then the yearly drop: (evaluated, dropped)."""
    rule_set = active_rule_set()
    if rule_set is None:
        return 0, 0
    bounds = Customer.objects.order_by("id").values_list("id", flat=True)
    first, last = bounds.first(), bounds.last()
    evaluated = 0
    lo = first or 0
    while first is not None and lo <= last:
        with transaction.atomic():
            evaluated += members_evaluate(lo=lo, hi=lo + CHUNK - 1, rule_set=rule_set, clock=clock)[0]
        lo += CHUNK
    return evaluated, tier_drop_run(clock=clock)
