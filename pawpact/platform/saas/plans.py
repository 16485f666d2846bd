"""SaaS plans as data, and the calendar rules of a subscription.

Periods are half-open: [start, end). A trial started on 1 March with 14 trial days
covers 1–14 March; `trial_ends_on` (15 March) is the first day not covered, the
day the first invoice is issued and charged.
"""
from datetime import date, timedelta

from django.conf import settings

from pawpact.core.months import add_months, day_in_month

DEFAULT_PLAN_CODE = "starter"
# Days an unpaid shop keeps its full back office after the first failed charge
# (settings.PAWPACT_SAAS_GRACE_DAYS overrides it).
DEFAULT_GRACE_DAYS = 7

def grace_days() -> int:
    return int(getattr(settings, "PAWPACT_SAAS_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def trial_end(*, start: date, trial_days: int) -> date:
    return start + timedelta(days=trial_days)


def period_end(*, start: date, anchor_day: int) -> date:
    """One month after `start`, on the subscription's anchor day (clamped to short months),
    so 31 Jan → 28 Feb → 31 Mar instead of drifting to the 28th."""
    on_anchor = start == day_in_month(start.year, start.month, anchor_day)
    return add_months(start, 1, anchor_day=anchor_day if on_anchor else None)
