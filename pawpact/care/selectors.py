"""Reads of care: free slots, bookings, resources and services.

`slots_available` answers for every resource offering a service over a range of days
in one query (a row per resource with its hours, days off and live bookings folded into
sorted arrays by PostgreSQL), then walks each working window against the busy intervals
in integer seconds. A search over 20 resources and 30 days yields
thousands of slots on a shared half-hour grid: each instant becomes a datetime once, and
a slot is a plain tuple, because building objects is what such a search spends its time on.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from pawpact.care.enums import BookingStatus
from pawpact.care.models import Booking, DayOff, Resource, ServiceType, WorkingHours

SLOT_STEP_MINUTES = 30


class Slot(NamedTuple):
    resource_id: int
    starts_at: datetime
    ends_at: datetime


def local_at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_default_timezone())


def _days(day_from: date, day_to: date) -> list[date]:
    return [day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)]


def _windows(hours: list[WorkingHours], day: date) -> list[tuple[datetime, datetime]]:
    return [(local_at(day, h.opens), local_at(day, h.closes)) for h in hours if h.weekday == day.weekday()]


_RESOURCES_SQL = """
SELECT r.id,
       ARRAY(SELECT h.weekday FROM {hours} h WHERE h.resource_id = r.id ORDER BY h.weekday, h.opens),
       ARRAY(SELECT h.opens FROM {hours} h WHERE h.resource_id = r.id ORDER BY h.weekday, h.opens),
       ARRAY(SELECT h.closes FROM {hours} h WHERE h.resource_id = r.id ORDER BY h.weekday, h.opens),
       ARRAY(SELECT d.day FROM {off} d WHERE d.resource_id = r.id AND d.day BETWEEN %(first)s AND %(last)s),
       ARRAY(SELECT EXTRACT(EPOCH FROM b.starts_at)::bigint FROM {booking} b
             WHERE b.resource_id = r.id AND b.status <> %(cancelled)s AND b.starts_at < %(until)s AND b.ends_at > %(since)s
             ORDER BY b.starts_at),
       ARRAY(SELECT EXTRACT(EPOCH FROM b.ends_at)::bigint FROM {booking} b
             WHERE b.resource_id = r.id AND b.status <> %(cancelled)s AND b.starts_at < %(until)s AND b.ends_at > %(since)s
             ORDER BY b.starts_at)
  FROM {resource} r
 WHERE r.is_active AND EXISTS (SELECT 1 FROM {offers} o WHERE o.resource_id = r.id AND o.servicetype_id = %(service)s)
   AND (%(all)s OR r.id = ANY(%(ids)s::bigint[]))
 ORDER BY r.id
"""


@dataclass(frozen=True)
class _Calendar:
    """What a search needs of one resource: windows per weekday (0 = Monday), days off, live bookings."""

    resource_id: int
    week: list[tuple]
    off: frozenset
    starts: list[int]  # epoch seconds, sorted
    ends: list[int]


def _calendars(service: ServiceType, day_from: date, day_to: date, resource_ids: list[int] | None) -> list[_Calendar]:
    """Every active resource offering `service`, with its hours, days off in the range and live
    bookings overlapping it, in one round trip (a search is mostly waiting otherwise)."""
    sql = _RESOURCES_SQL.format(
        resource=Resource._meta.db_table, hours=WorkingHours._meta.db_table, off=DayOff._meta.db_table,
        booking=Booking._meta.db_table, offers=Resource.services.through._meta.db_table,
    )  # fmt: skip
    params = {
        "first": day_from, "last": day_to, "cancelled": BookingStatus.CANCELLED.value, "service": service.pk,
        "since": local_at(day_from, time.min), "until": local_at(day_to + timedelta(days=1), time.min),
        "all": resource_ids is None, "ids": list(resource_ids or []),
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for resource_id, weekdays, opens, closes, off, starts, ends in rows:
        week: list[list] = [[] for _ in range(7)]
        for weekday, opens_at, closes_at in zip(weekdays, opens, closes, strict=True):
            week[weekday].append((opens_at, closes_at))
        found.append(_Calendar(resource_id, [tuple(windows) for windows in week], frozenset(off), starts, ends))
    return found


class _Grid:
    """The candidate starts of each (day, window), shared by every resource with the same hours:
    (epoch start, start, end) with the datetimes built once per search, the past left out."""

    def __init__(self, duration: int, step: int, now: int):
        self.duration, self.step, self.now = duration, step, now
        self.windows: dict[tuple, list[tuple[int, int, list]]] = {}
        self.instants: dict[int, datetime] = {}

    def _at(self, epoch: int) -> datetime:
        moment = self.instants.get(epoch)
        if moment is None:
            moment = self.instants[epoch] = datetime.fromtimestamp(epoch, tz=UTC)
        return moment

    def day(self, day: date, hours: tuple) -> list[tuple[int, int, list]]:
        """(opens, closes, candidates) of each window on `day`, in epoch seconds."""
        key = (day, hours)
        found = self.windows.get(key)
        if found is None:
            found = []
            for opens_at, closes_at in hours:
                opens, closes = int(local_at(day, opens_at).timestamp()), int(local_at(day, closes_at).timestamp())
                starts = range(opens, closes - self.duration + 1, self.step)
                found.append((opens, closes, [(s, self._at(s), self._at(s + self.duration)) for s in starts if s > self.now]))
            self.windows[key] = found
        return found


def slots_available(
    *,
    service: ServiceType,
    day_from: date,
    day_to: date,
    now: datetime,
    resource_ids: list[int] | None = None,
    step_minutes: int = SLOT_STEP_MINUTES,
) -> list[Slot]:
    """Every free start for `service` from `day_from` to `day_to` (shop-local days), by resource then time."""
    grid = _Grid(service.duration_minutes * 60, step_minutes * 60, int(now.timestamp()))
    days = [(day, day.weekday()) for day in _days(day_from, day_to)]
    found: list[Slot] = []
    for calendar in _calendars(service, day_from, day_to, resource_ids):
        resource_id, week, starts, ends = calendar.resource_id, calendar.week, calendar.starts, calendar.ends
        for day, weekday in days:
            if week[weekday] and day not in calendar.off:
                for opens, _closes, candidates in grid.day(day, week[weekday]):
                    _free_in_window(found, resource_id, candidates, grid.duration, starts, ends, bisect_right(ends, opens))
    return found


_new_slot = tuple.__new__  # Slot(...) without the generated __new__: the hot line of a search


def _free_in_window(found: list, resource_id: int, candidates: list, duration: int, starts, ends, index: int) -> None:
    """Append the window's candidates that no busy interval overlaps.

    Bookings of one resource never overlap (the exclusion constraint), so sorted by start
    they are sorted by end too, and the first one ending after a candidate's start is the
    only one that can collide with it."""
    count = len(starts)
    if index >= count or (candidates and starts[index] >= candidates[-1][0] + duration):
        found.extend([_new_slot(Slot, (resource_id, start_at, end_at)) for _, start_at, end_at in candidates])
        return
    for start, start_at, end_at in candidates:
        while index < count and ends[index] <= start:
            index += 1
        if index < count and starts[index] < start + duration:
            continue
        found.append(_new_slot(Slot, (resource_id, start_at, end_at)))


def slot_is_offered(*, resource: Resource, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [starts_at, ends_at) lies inside one of the resource's windows on a working day."""
    day = timezone.localtime(starts_at, timezone.get_default_timezone()).date()
    if DayOff.objects.filter(resource=resource, day=day).exists():
        return False
    hours = list(WorkingHours.objects.filter(resource=resource, weekday=day.weekday()))
    return any(opens <= starts_at and ends_at <= closes for opens, closes in _windows(hours, day))


def bookings_for_customer(*, customer) -> QuerySet[Booking]:
    return Booking.objects.filter(customer=customer).select_related("pet", "service", "resource")


def bookings_of_day(*, day: date) -> QuerySet[Booking]:
    """The day's bookings (shop-local), cancelled ones aside, for the staff calendar."""
    return (
        Booking.objects.filter(starts_at__gte=local_at(day, time.min), starts_at__lt=local_at(day + timedelta(days=1), time.min))
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("pet", "customer", "service", "resource")
        .order_by("resource__name", "starts_at")
    )
