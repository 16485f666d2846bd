"""An order's number carries the day it was placed in the shop's time zone (Beijing), the day
its pages show: 16:30 UTC on 28 Nov is 00:30 on 29 Nov in Beijing."""
from datetime import UTC, datetime

from pawpact.storefront.models import Order, order_number


def test_the_number_uses_the_beijing_day_around_midnight():
    late = datetime(2026, 11, 28, 16, 30, tzinfo=UTC)
    early = datetime(2026, 11, 28, 15, 59, tzinfo=UTC)
    assert order_number(late, 3) == "SO26112900003"
    assert order_number(early, 3) == "SO26112800003"
    assert Order(pk=7, created_at=late).number == "SO26112900007"
