from datetime import date

import pytest

from pawpact.core.months import add_months, day_in_month, month_add, month_parse, month_start


def test_month_start_is_the_first_of_the_month():
    assert month_start(date(2026, 3, 31)) == date(2026, 3, 1)
    assert month_start(date(2026, 3, 1)) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("month", "months", "expected"),
    [
        (date(2026, 3, 1), 1, date(2026, 4, 1)),
        (date(2026, 3, 17), 0, date(2026, 3, 1)),  # any day of the month: the result is a month start
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 1, 1), -1, date(2025, 12, 1)),
        (date(2026, 3, 31), -11, date(2025, 4, 1)),
        (date(2026, 3, 1), 24, date(2028, 3, 1)),
        (date(2026, 3, 1), -27, date(2023, 12, 1)),
    ],
)
def test_month_add_steps_whole_months_to_a_month_start(month, months, expected):
    assert month_add(month, months) == expected


def test_day_in_month_clamps_to_short_months():
    assert day_in_month(2026, 2, 31) == date(2026, 2, 28)
    assert day_in_month(2028, 2, 31) == date(2028, 2, 29)  # leap year
    assert day_in_month(2026, 4, 31) == date(2026, 4, 30)
    assert day_in_month(2026, 1, 31) == date(2026, 1, 31)
    assert day_in_month(2026, 2, 15) == date(2026, 2, 15)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 10), 1, date(2026, 4, 10)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 10), 1, date(2027, 1, 10)),  # December → January of the next year
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # January → December of the year before
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        (date(2026, 4, 10), 22, date(2028, 2, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_s_last(day, months, expected):
    assert add_months(day, months) == expected


def test_add_months_with_an_anchor_day_returns_to_it_after_a_short_month():
    assert add_months(date(2026, 1, 31), 1, anchor_day=31) == date(2026, 2, 28)
    assert add_months(date(2026, 2, 28), 1, anchor_day=31) == date(2026, 3, 31)
    assert add_months(date(2026, 3, 31), 1, anchor_day=31) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 3), 1, anchor_day=28) == date(2026, 12, 28)
    assert add_months(date(2026, 12, 3), 1, anchor_day=15) == date(2027, 1, 15)


def test_a_month_by_month_walk_never_skips_a_month():
    day, seen = date(2026, 1, 31), []
    for _ in range(14):
        seen.append((day.year, day.month))
        day = add_months(day, 1, anchor_day=31)
    assert seen == [(2026 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(1, 15)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-03", date(2026, 3, 1)), ("2026-12", date(2026, 12, 1)), ("2026-13", None), ("2026-03-05", None),
     ("march", None), ("", None), (None, None)],
)  # fmt: skip
def test_month_parse_reads_year_and_month_or_gives_none(value, expected):
    assert month_parse(value) == expected
