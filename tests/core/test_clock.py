from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone as django_timezone

from pawpact.core.clock import Clock, FixedClock, SystemClock, clock, default_clock, local_date, local_midnight

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")

# 17:30 UTC on 1 March is already 2 March in Shanghai and still 1 March in New York.
EVENING_UTC = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def shanghai_default(settings):
    settings.USE_TZ = True
    settings.TIME_ZONE = "Asia/Shanghai"


class TestFixedClock:
    def test_now_is_the_given_instant_in_utc(self):
        fixed = FixedClock(datetime(2025, 3, 2, 1, 30, tzinfo=SHANGHAI))
        assert fixed.now() == EVENING_UTC
        assert fixed.now().tzinfo is UTC

    def test_refuses_naive_datetimes(self):
        with pytest.raises(ValueError, match="aware"):
            FixedClock(datetime(2025, 3, 1, 17, 30))

    def test_advance(self):
        fixed = FixedClock(EVENING_UTC)
        fixed.advance(timedelta(days=30, hours=7))
        assert fixed.now() == datetime(2025, 4, 1, 0, 30, tzinfo=UTC)
        fixed.advance(timedelta(minutes=-45))
        assert fixed.now() == datetime(2025, 3, 31, 23, 45, tzinfo=UTC)

    def test_today_defaults_to_settings_time_zone(self):
        assert FixedClock(EVENING_UTC).today() == date(2025, 3, 2)

    def test_today_in_a_given_time_zone(self):
        fixed = FixedClock(EVENING_UTC)
        assert fixed.today(NEW_YORK) == date(2025, 3, 1)
        assert fixed.today(timezone(timedelta(hours=8))) == date(2025, 3, 2)
        assert fixed.today(UTC) == date(2025, 3, 1)

    def test_today_ignores_an_activated_time_zone(self):
        with django_timezone.override(NEW_YORK):
            assert FixedClock(EVENING_UTC).today() == date(2025, 3, 2)

    def test_today_moves_with_advance(self):
        fixed = FixedClock(datetime(2025, 3, 1, 15, 59, tzinfo=UTC))
        assert fixed.today() == date(2025, 3, 1)
        fixed.advance(timedelta(minutes=1))  # 16:00 UTC is midnight in Shanghai
        assert fixed.today() == date(2025, 3, 2)


class TestSystemClock:
    def test_follows_time_machine(self):
        with time_machine.travel(EVENING_UTC, tick=False):
            assert SystemClock().now() == EVENING_UTC
            assert SystemClock().now().tzinfo == UTC
            assert SystemClock().today() == date(2025, 3, 2)
            assert SystemClock().today(NEW_YORK) == date(2025, 3, 1)

    def test_moves_when_time_machine_moves(self):
        with time_machine.travel(EVENING_UTC, tick=False) as traveller:
            traveller.shift(timedelta(days=1))
            assert SystemClock().now() == EVENING_UTC + timedelta(days=1)

    def test_module_default_is_a_system_clock(self):
        assert isinstance(clock, SystemClock)
        assert default_clock is clock


def test_a_service_can_take_either_clock():
    def days_until(deadline: date, *, clock: Clock = default_clock) -> int:
        return (deadline - clock.today()).days

    with time_machine.travel(EVENING_UTC, tick=False):
        assert days_until(date(2025, 3, 12)) == 10
    assert days_until(date(2025, 3, 12), clock=FixedClock(EVENING_UTC - timedelta(days=2))) == 12


def test_local_date_and_midnight_are_in_the_platform_time_zone_whatever_zone_is_active():
    with django_timezone.override(NEW_YORK):
        assert local_date(EVENING_UTC) == date(2025, 3, 2)
        assert local_date(EVENING_UTC, NEW_YORK) == date(2025, 3, 1)
        midnight = local_midnight(date(2025, 3, 2))
    assert midnight == datetime(2025, 3, 2, tzinfo=SHANGHAI)
    assert midnight == datetime(2025, 3, 1, 16, 0, tzinfo=UTC)
