"""A partner's weekly opening hours as data: seven days, Monday first, each a list of
[open, close] times "HH:MM" (close may be "24:00"); an empty day is closed, an empty week is
"not given". Typed one line per day ("09:00–12:00, 14:00–18:00"), checked range by range
(a close before its open, overlapping ranges) with the offending day named.

"Open now" is judged in the platform's time zone (settings.TIME_ZONE): every partner is a
local clinic or groomer. The emergency search asks the database the same question
(pawpact.partners.selectors.OPEN_NOW_SQL), so both answers always agree.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

DAYS = 7
_TIME = r"(\d{1,2})[:：](\d{2})"
_RANGE = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|~|～|至|到)\s*{_TIME}\s*$")
_SPLIT = re.compile(r"[,，;；、]")


def _hhmm(hours: str, minutes: str, *, close: bool) -> str | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not close)):
        return None
    return f"{h:02d}:{m:02d}"


def day_parse(text: str) -> tuple[list[list[str]], list[str]]:
    """One day's ranges as typed → (sorted ranges, problems); blank is closed."""
    ranges, problems = [], []
    for part in (p for p in _SPLIT.split(text or "") if p.strip()):
        match = _RANGE.match(part)
        opens = match and _hhmm(match[1], match[2], close=False)
        closes = match and _hhmm(match[3], match[4], close=True)
        if not (opens and closes):
            problems.append(_("“%(text)s” is not a time range: write it like 09:00–18:00.") % {"text": part.strip()})
        elif closes <= opens:
            problems.append(_("%(range)s closes before it opens: write a range within the day, like 09:00–18:00 "
                              "(24:00 for midnight).") % {"range": f"{opens}–{closes}"})  # fmt: skip
        else:
            ranges.append([opens, closes])
    ranges.sort()
    for before, after in zip(ranges, ranges[1:], strict=False):
        if after[0] < before[1]:
            problems.append(_("%(a)s overlaps %(b)s: make the ranges follow one another.")
                            % {"a": "–".join(before), "b": "–".join(after)})  # fmt: skip
    return ranges, problems


def week_parse(days: list[str]) -> tuple[list[list[list[str]]], dict[str, list[str]]]:
    """Seven typed days → (the week, problems by field "day_0" … "day_6"). All blank: not given."""
    week, errors = [], {}
    for index, text in enumerate(days):
        ranges, problems = day_parse(text)
        week.append(ranges)
        if problems:
            errors[f"day_{index}"] = problems
    return ([] if not any(week) else week), errors


def day_text(ranges: list[list[str]]) -> str:
    return ", ".join(f"{opens}–{closes}" for opens, closes in ranges)


def day_label(ranges: list[list[str]]) -> str:
    """A day's hours for display: its ranges, or "Closed"."""
    return day_text(ranges) or pgettext("opening hours", "Closed")


def week_lines(week: list, *, open_24h: bool = False) -> list[tuple[str, str]]:
    """(weekday name, its hours) for display, in the active language; [] when not given."""
    if open_24h:
        return [(_("Every day"), _("Open 24 hours"))]
    if len(week) != DAYS:
        return []
    return [(str(WEEKDAYS[index]), day_label(ranges)) for index, ranges in enumerate(week)]


def local_moment(at: datetime) -> tuple[int, str]:
    """(weekday, "HH:MM") of `at` in the platform's time zone: what the hours are read against."""
    local = timezone.localtime(at)
    return local.weekday(), local.strftime("%H:%M")


def is_open(week: list, *, open_24h: bool, at: datetime) -> bool | None:
    """Open at `at`? None when the hours are not given."""
    if open_24h:
        return True
    if len(week) != DAYS:
        return None
    weekday, clock = local_moment(at)
    return any(opens <= clock < closes for opens, closes in week[weekday])


def week_from_text(text: str) -> list:
    """The week a free-text note describes when it is one range for every day ("09:00–21:00",
    "Mon–Sun 09:00-21:00", "每天 9:00-21:00", "daily 10:00–20:00"); [] when it says more than that."""
    cleaned = re.sub(r"(?i)^\s*(mon(day)?\s*[-–~]\s*sun(day)?|daily|every\s*day|每天|每日|周一\s*[-–至到]\s*周日|全周)\s*[:：]?", "",
                     text or "")  # fmt: skip
    cleaned = re.sub(r"(?i)\s*(daily|every\s*day|每天|每日)\s*$", "", cleaned)
    ranges, problems = day_parse(cleaned)
    if problems or not ranges:
        return []
    return [ranges for _day in range(DAYS)]
