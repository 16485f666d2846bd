"""An injectable clock, so services can be run at any instant in tests.

Services take it as a keyword argument:

    from pawpact.core.clock import Clock, default_clock

    def debit_schedule(*, contract, clock: Clock = default_clock) -> None: ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from django.utils import timezone


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...

    def today(self, tz: tzinfo | None = None) -> date:
        """The current date in `tz`, by default settings.TIME_ZONE."""
        ...


def local_date(at: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day of `at` in `tz`, by default settings.TIME_ZONE."""
    # The default time zone, not the "current" one a request may have activated,
    # so a task and a request agree on what day it is.
    if tz is None:
        tz = timezone.get_default_timezone()
    return timezone.localdate(at, timezone=tz)


def local_midnight(day: date) -> datetime:
    """The first instant of `day` in settings.TIME_ZONE."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class SystemClock:
    """Real time, read through Django so time-machine can move it in tests."""

    def now(self) -> datetime:
        return timezone.now()

    def today(self, tz: tzinfo | None = None) -> date:
        return local_date(self.now(), tz)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if timezone.is_naive(at):
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def today(self, tz: tzinfo | None = None) -> date:
        return local_date(self.at, tz)

    def advance(self, delta: timedelta) -> None:
        self.at += delta


clock = SystemClock()
# The name to import as a parameter default: a parameter called `clock` would
# otherwise shadow the module-level `clock`.
default_clock: Clock = clock


# The clock a run is working on, for what records a fact's time without being handed a clock
# (the outbox): a test clock's run records its facts at the clock's time, not the real one.
_in_force: ContextVar[Clock | None] = ContextVar("pawpact_clock_in_force", default=None)


@contextmanager
def clock_in_force(run_clock: Clock) -> Iterator[None]:
    token = _in_force.set(run_clock)
    try:
        yield
    finally:
        _in_force.reset(token)


def fact_time() -> datetime:
    """When a fact happens: the time of the clock in force, else now."""
    run_clock = _in_force.get()
    return run_clock.now() if run_clock is not None else timezone.now()
