"""Reads of care: free slots, bookings, resources and services.

`slots_available` answers for every resource offering a service over a range of days
in four queries (resources, their hours, their days off, and their live bookings folded
into one sorted array per resource by PostgreSQL), then walks each working window against
the busy intervals in integer seconds. A search over 20 resources and 30 days yields
thousands of slots on a shared half-hour grid: each instant becomes a datetime once, and
a slot is a plain tuple, because building objects is what such a search spends its time on.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import BigIntegerField, Func, QuerySet
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


class _Epoch(Func):
    """Whole seconds since 1970 (bookings start and end on whole minutes): cheap to load and compare."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::bigint"
    output_field = BigIntegerField()


def _busy(ids: list[int], day_from: date, day_to: date) -> dict[int, tuple[list[int], list[int]]]:
    """Each resource's live bookings in the range as (starts, ends) in epoch seconds, sorted by start."""
    window_start, window_end = local_at(day_from, time.min), local_at(day_to + timedelta(days=1), time.min)
    rows = (
        Booking.objects.filter(resource_id__in=ids, starts_at__lt=window_end, ends_at__gt=window_start)
        .exclude(status=BookingStatus.CANCELLED)
        .values("resource_id")
        .annotate(
            starts=ArrayAgg(_Epoch("starts_at"), order_by=("starts_at",)),
            ends=ArrayAgg(_Epoch("ends_at"), order_by=("starts_at",)),
        )
        .order_by()
        .values_list("resource_id", "starts", "ends")
    )
    return {resource_id: (starts, ends) for resource_id, starts, ends in rows}


def _weekly(ids: list[int]) -> dict[int, list[tuple]]:
    """Each resource's windows per weekday (index 0 = Monday), as a hashable tuple of (opens, closes)."""
    week: dict[int, list[list]] = {resource_id: [[] for _ in range(7)] for resource_id in ids}
    for resource_id, weekday, opens, closes in (
        WorkingHours.objects.filter(resource_id__in=ids).order_by("opens").values_list("resource_id", "weekday", "opens", "closes")
    ):
        week[resource_id][weekday].append((opens, closes))
    return {resource_id: [tuple(windows) for windows in days] for resource_id, days in week.items()}


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
    resources = Resource.objects.filter(services=service, is_active=True).order_by("id")
    if resource_ids is not None:
        resources = resources.filter(id__in=resource_ids)
    ids = list(resources.values_list("id", flat=True))
    weekly = _weekly(ids)
    off = set(DayOff.objects.filter(resource_id__in=ids, day__range=(day_from, day_to)).values_list("resource_id", "day"))
    busy = _busy(ids, day_from, day_to)
    grid = _Grid(service.duration_minutes * 60, step_minutes * 60, int(now.timestamp()))
    days = [(day, day.weekday()) for day in _days(day_from, day_to)]
    found: list[Slot] = []
    for resource_id in ids:
        starts, ends = busy.get(resource_id, ((), ()))
        week = weekly[resource_id]
        for day, weekday in days:
            if week[weekday] and (resource_id, day) not in off:
                for opens, closes, candidates in grid.day(day, week[weekday]):
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
