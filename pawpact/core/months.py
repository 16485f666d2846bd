"""Calendar-month arithmetic on plain dates.

A date one month after a day the target month lacks (31 January + 1 month) lands on
that month's last day (28 or 29 February): the surplus days are never carried into
the month after, so a monthly schedule never skips a month.
"""
import calendar
from datetime import date


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def month_parse(value: str | None) -> date | None:
    """A month written as in a URL or query string: "2026-03" → 1 March 2026; None for anything else."""
    try:
        return date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


def month_add(month: date, months: int) -> date:
    """The first day of the month `months` calendar months after `month`'s (before it, if negative)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def day_in_month(year: int, month: int, day: int) -> date:
    """`day` of that month, or the month's last day when the month is shorter (30 → 28/29 February)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """`day` moved `months` calendar months (back, if negative), clamped to the target month's end.

    `anchor_day` picks another day of the target month than `day`'s own: a subscription
    anchored on the 31st comes back to the 31st after February's 28th.
    """
    target = month_add(day, months)
    return day_in_month(target.year, target.month, day.day if anchor_day is None else anchor_day)
