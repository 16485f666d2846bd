"""RFM scores: recency, frequency and monetary value of each member's activity in the last
two years, as quintiles within the shop (5 = most recent, most frequent, highest spend).

One statement for the whole shop (quintiles need everyone at once): members without
activity in the window score 1 on all three.
"""
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction

from pawpact.core.clock import Clock, default_clock
from pawpact.loyalty.evaluation import memberships_ensure

RFM_WINDOW_MONTHS = 24

_RFM_SQL = """
WITH m AS (
    SELECT ms.id, max(a.occurred_at) AS last_at, count(a.id) AS frequency, coalesce(sum(a.amount_minor), 0) AS spend
    FROM loyalty_membership ms
    LEFT JOIN loyalty_activity a ON a.customer_id = ms.customer_id AND a.occurred_at >= %(since)s
    GROUP BY ms.id
), s AS (
    SELECT id,
           CASE WHEN last_at IS NULL THEN 1 ELSE ntile(5) OVER (ORDER BY last_at NULLS FIRST) END AS r,
           CASE WHEN frequency = 0 THEN 1 ELSE ntile(5) OVER (ORDER BY frequency) END AS f,
           CASE WHEN spend = 0 THEN 1 ELSE ntile(5) OVER (ORDER BY spend) END AS m
    FROM m
)
UPDATE loyalty_membership ms SET rfm_recency = s.r, rfm_frequency = s.f, rfm_monetary = s.m
FROM s WHERE ms.id = s.id
"""


def rfm_scores_refresh(*, clock: Clock = default_clock) -> int:
    """Score every member of the shop; how many were scored."""
    with transaction.atomic(), connection.cursor() as cursor:
        memberships_ensure(lo=0, hi=2**62)
        cursor.execute("SET LOCAL work_mem = '64MB'")  # three sorts of every member: in memory
        cursor.execute(_RFM_SQL, {"since": clock.now() - relativedelta(months=RFM_WINDOW_MONTHS)})
        return cursor.rowcount
