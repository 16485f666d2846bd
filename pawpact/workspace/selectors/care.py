"""Reads behind the staff's booking and complaint pages: the day calendar, the filtered
bookings list and the complaint queue with its two clocks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from pawpact.care.enums import ComplaintStatus
from pawpact.care.models import Booking, Complaint, ComplaintBreach, DayOff, Resource, WorkingHours
from pawpact.care.selectors import bookings_of_day, local_at

ROW_MINUTES = 30
DEFAULT_OPENS, DEFAULT_CLOSES = time(9), time(18)


@dataclass(frozen=True)
class CalendarColumn:
    resource: Resource
    is_off: bool
    windows: list[tuple[int, int]]  # (first row, row after the last) of each working window


@dataclass(frozen=True)
class CalendarBlock:
    booking: Booking
    column: int
    row_start: int
    row_end: int


@dataclass(frozen=True)
class CalendarDay:
    day: date
    columns: list[CalendarColumn]
    times: list[tuple[int, str]]  # (row, "09:00")
    blocks: list[CalendarBlock]

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next(self) -> date:
        return self.day + timedelta(days=1)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _row(minutes: int, first: int) -> int:
    """Grid row of a minute of the day: row 1 is the header, each row half an hour."""
    return 2 + (minutes - first) // ROW_MINUTES


def calendar_day(*, day: date) -> CalendarDay:
    """The day's grid: a column per active resource, a row per half hour from the earliest
    opening to the latest closing (bookings outside the hours widen it), each booking a block."""
    resources = list(Resource.objects.filter(is_active=True).order_by("name", "id"))
    hours = list(WorkingHours.objects.filter(resource__in=resources, weekday=day.weekday()))
    off = set(DayOff.objects.filter(resource__in=resources, day=day).values_list("resource_id", flat=True))
    bookings = [b for b in bookings_of_day(day=day) if b.resource_id in {r.pk for r in resources}]
    spans = [(_minutes(h.opens), _minutes(h.closes)) for h in hours]
    for booking in bookings:
        starts = timezone.localtime(booking.starts_at, timezone.get_default_timezone())
        ends = timezone.localtime(booking.ends_at, timezone.get_default_timezone())
        spans.append((_minutes(starts.time()), _minutes(ends.time()) if ends.date() == day else 24 * 60))
    first = min([s for s, _ in spans] or [_minutes(DEFAULT_OPENS)]) // ROW_MINUTES * ROW_MINUTES
    last = max([e for _, e in spans] or [_minutes(DEFAULT_CLOSES)])
    last = -(-last // ROW_MINUTES) * ROW_MINUTES
    columns = []
    for resource in resources:
        windows = [
            (_row(_minutes(h.opens), first), _row(-(-_minutes(h.closes) // ROW_MINUTES) * ROW_MINUTES, first))
            for h in hours
            if h.resource_id == resource.pk
        ]
        columns.append(CalendarColumn(resource, resource.pk in off, [] if resource.pk in off else windows))
    index = {column.resource.pk: n for n, column in enumerate(columns, start=2)}
    blocks = []
    for booking in bookings:
        starts = timezone.localtime(booking.starts_at, timezone.get_default_timezone())
        minutes_end = _minutes(starts.time()) + int((booking.ends_at - booking.starts_at).total_seconds() // 60)
        row_end = _row(-(-min(minutes_end, last) // ROW_MINUTES) * ROW_MINUTES, first)
        blocks.append(CalendarBlock(booking, index[booking.resource_id], _row(_minutes(starts.time()), first), row_end))
    times = [(_row(m, first), f"{m // 60:02d}:{m % 60:02d}") for m in range(first, last, ROW_MINUTES)]
    return CalendarDay(day, columns, times, blocks)


def booking_search(
    *, status: str = "", resource: str = "", service: str = "", day_from: date | None = None,
    day_to: date | None = None, query: str = "",
) -> QuerySet[Booking]:  # fmt: skip
    """Bookings as the list's filters ask, newest appointment first."""
    found = Booking.objects.select_related("customer", "pet", "service", "resource").order_by("-starts_at", "-id")
    if status:
        found = found.filter(status=status)
    if resource.isdigit():
        found = found.filter(resource_id=int(resource))
    if service.isdigit():
        found = found.filter(service_id=int(service))
    if day_from:
        found = found.filter(starts_at__gte=local_at(day_from, time.min))
    if day_to:
        found = found.filter(starts_at__lt=local_at(day_to + timedelta(days=1), time.min))
    if query:
        found = found.filter(Q(customer__name__icontains=query) | Q(customer__phone__icontains=query) | Q(pet__name__icontains=query))
    return found


@dataclass(frozen=True)
class Clock:
    """One of a complaint's promises: met (at), running (time left) or missed (overdue by)."""

    due_at: datetime
    done_at: datetime | None
    now: datetime

    @property
    def state(self) -> str:
        if self.done_at is not None:
            return "met" if self.done_at <= self.due_at else "late"
        return "running" if self.now < self.due_at else "overdue"

    @property
    def left(self) -> timedelta:
        return self.due_at - self.now if self.now < self.due_at else self.now - self.due_at

    @property
    def hours_minutes(self) -> tuple[int, int]:
        minutes = int(self.left.total_seconds() // 60)
        return minutes // 60, minutes % 60


@dataclass(frozen=True)
class QueueRow:
    complaint: Complaint
    response: Clock
    resolution: Clock


def complaint_clocks(complaint: Complaint, now: datetime) -> QueueRow:
    return QueueRow(
        complaint,
        Clock(complaint.respond_by, complaint.responded_at, now),
        Clock(complaint.resolve_by, complaint.resolved_at, now),
    )


def complaint_search(*, status: str = "") -> QuerySet[Complaint]:
    """Open complaints first, the nearest deadline on top; then the rest, newest first."""
    found = Complaint.objects.select_related("customer", "booking__service", "order", "contract")
    if status == "open":
        return found.filter(status__in=(ComplaintStatus.OPEN, ComplaintStatus.RESPONDED)).order_by("resolve_by", "id")
    if status in ComplaintStatus.values:
        return found.filter(status=status).order_by("-opened_at", "-id")
    return found.order_by("-opened_at", "-id")


def complaint_breach_list() -> QuerySet[ComplaintBreach]:
    return ComplaintBreach.objects.select_related("complaint__customer").order_by("-noticed_at", "-id")
