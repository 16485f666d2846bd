"""Reads of care: free slots, bookings, resources and services.

`slots_available` answers for every resource offering a service over a range of days
in four queries (resources, their hours, their days off, their live bookings), then
walks each day's windows against the sorted busy intervals in memory.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import BigIntegerField, Func, QuerySet
from django.utils import timezone

from pawpact.care.enums import BookingStatus
from pawpact.care.models import Booking, DayOff, Resource, ServiceType, WorkingHours

SLOT_STEP_MINUTES = 30


@dataclass(frozen=True)
class Slot:
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
    hours: dict[int, list[WorkingHours]] = defaultdict(list)
    for row in WorkingHours.objects.filter(resource_id__in=ids):
        hours[row.resource_id].append(row)
    off = set(DayOff.objects.filter(resource_id__in=ids, day__range=(day_from, day_to)).values_list("resource_id", "day"))
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    window_start, window_end = local_at(day_from, time.min), local_at(day_to + timedelta(days=1), time.min)
    for resource_id, starts_at, ends_at in (
        Booking.objects.filter(resource_id__in=ids, starts_at__lt=window_end, ends_at__gt=window_start)
        .exclude(status=BookingStatus.CANCELLED)
        .order_by("resource_id", "starts_at")
        .values_list("resource_id", _Epoch("starts_at"), _Epoch("ends_at"))
    ):
        busy[resource_id].append((starts_at, ends_at))
    windows = {day: {} for day in _days(day_from, day_to)}
    found: list[Slot] = []
    for resource_id in ids:
        intervals = busy[resource_id]
        ends = [end for _, end in intervals]
        for day, cache in windows.items():
            if (resource_id, day) in off:
                continue
            weekday_hours = tuple((h.opens, h.closes) for h in hours[resource_id] if h.weekday == day.weekday())
            if weekday_hours not in cache:
                cache[weekday_hours] = [(int(local_at(day, o).timestamp()), int(local_at(day, c).timestamp())) for o, c in weekday_hours]
            for opens, closes in cache[weekday_hours]:
                for start in _free_in_window(opens, closes, service.duration_minutes * 60, step_minutes * 60, now.timestamp(), intervals, ends):
                    found.append(Slot(resource_id, _at(start), _at(start + service.duration_minutes * 60)))
    return found


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _free_in_window(opens: int, closes: int, duration: int, step: int, now: float, intervals, ends) -> list[int]:
    """Free starts (epoch seconds) in one window, walking the busy intervals sorted by start."""
    free = []
    start = opens
    index = bisect_right(ends, start)
    while start + duration <= closes:
        end = start + duration
        # The first busy interval ending after `start` is the only one that can overlap first.
        while index < len(intervals) and ends[index] <= start:
            index += 1
        if index < len(intervals) and intervals[index][0] < end:
            start = max(start + step, opens + -(-(ends[index] - opens) // step) * step)
            continue
        if start > now:
            free.append(start)
        start += step
    return free


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
