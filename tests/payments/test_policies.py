from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pawpact.payments.base import RailPolicy
from pawpact.payments.errors import UnknownRail
from pawpact.payments.policies import (
    RAIL_POLICIES,
    amount_allowed,
    debit_not_before,
    is_within_allowed_hours,
    policy_for,
)

BEIJING = ZoneInfo("Asia/Shanghai")


def test_the_four_rails_and_their_rules():
    assert sorted(RAIL_POLICIES) == ["alipay", "sandbox", "stripe", "wechat"]
    assert policy_for("sandbox").max_amount_minor is None
    assert policy_for("stripe").max_amount_minor == 99_999_999
    assert policy_for("alipay").max_amount_minor == 500_000
    wechat = policy_for("wechat")
    assert (wechat.max_amount_minor, wechat.allowed_from, wechat.allowed_until) == (500_000, time(7), time(22))
    assert (wechat.pre_debit_notice_days, wechat.timezone) == (1, BEIJING)
    assert policy_for("alipay").pre_debit_notice_days == 0


def test_an_unknown_rail_is_a_clear_error():
    with pytest.raises(UnknownRail) as caught:
        policy_for("paypal")
    assert caught.value.as_dict() == {
        "code": "unknown_rail",
        "message": "Unknown payment rail 'paypal'.",
        "fields": {"rail": ["Choose one of: alipay, sandbox, stripe, wechat."]},
    }


@pytest.mark.parametrize(
    ("rail", "amount", "allowed"),
    [
        ("wechat", 500_000, True),
        ("wechat", 500_001, False),
        ("alipay", 500_001, False),
        ("stripe", 99_999_999, True),
        ("stripe", 100_000_000, False),
        ("sandbox", 10**12, True),
        ("sandbox", 0, False),
        ("sandbox", -1, False),
    ],
)
def test_amount_caps(rail, amount, allowed):
    assert amount_allowed(amount_minor=amount, policy=policy_for(rail)) is allowed


def test_a_wechat_debit_may_start_at_seven_in_beijing_which_is_23_utc_the_day_before():
    at = debit_not_before(due_date=date(2026, 3, 10), policy=policy_for("wechat"))
    assert at == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert at.tzinfo is UTC
    assert at.astimezone(BEIJING) == datetime(2026, 3, 10, 7, 0, tzinfo=BEIJING)


@pytest.mark.parametrize("rail", ["sandbox", "stripe", "alipay"])
def test_all_day_rails_may_start_at_midnight_in_beijing(rail):
    assert debit_not_before(due_date=date(2026, 3, 10), policy=policy_for(rail)) == datetime(
        2026, 3, 9, 16, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("beijing", "inside"),
    [
        (datetime(2026, 3, 10, 6, 59, 59), False),
        (datetime(2026, 3, 10, 7, 0), True),
        (datetime(2026, 3, 10, 12, 0), True),
        (datetime(2026, 3, 10, 22, 0), True),
        (datetime(2026, 3, 10, 22, 0, 1), False),
        (datetime(2026, 3, 10, 22, 30), False),
        (datetime(2026, 3, 10, 0, 30), False),
    ],
)
def test_wechat_allowed_hours_are_seven_to_twenty_two_beijing(beijing, inside):
    at = beijing.replace(tzinfo=BEIJING)
    assert is_within_allowed_hours(at=at, policy=policy_for("wechat")) is inside
    # The same instant in UTC gives the same answer: 22:30 Beijing is 14:30 UTC.
    assert is_within_allowed_hours(at=at.astimezone(UTC), policy=policy_for("wechat")) is inside


def test_22_30_beijing_given_in_utc_is_outside():
    assert not is_within_allowed_hours(at=datetime(2026, 3, 10, 14, 30, tzinfo=UTC), policy=policy_for("wechat"))


def test_all_day_rails_allow_every_second_including_the_last_one():
    policy = policy_for("alipay")
    last = datetime(2026, 3, 10, 23, 59, 59, 999_999, tzinfo=BEIJING)
    assert is_within_allowed_hours(at=last, policy=policy)
    assert is_within_allowed_hours(at=datetime(2026, 3, 10, 0, 0, tzinfo=BEIJING), policy=policy)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        is_within_allowed_hours(at=datetime(2026, 3, 10, 12, 0), policy=policy_for("wechat"))


def test_a_window_across_midnight():
    night = RailPolicy(allowed_from=time(22, 0), allowed_until=time(6, 0))
    assert is_within_allowed_hours(at=datetime(2026, 3, 10, 23, 0, tzinfo=BEIJING), policy=night)
    assert is_within_allowed_hours(at=datetime(2026, 3, 10, 5, 0, tzinfo=BEIJING), policy=night)
    assert not is_within_allowed_hours(at=datetime(2026, 3, 10, 12, 0, tzinfo=BEIJING), policy=night)
    # Midnight is inside, so the due date's first instant is allowed.
    assert debit_not_before(due_date=date(2026, 3, 10), policy=night) == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)


def test_debit_not_before_is_always_allowed_and_on_the_due_date_for_every_rail():
    for rail, policy in RAIL_POLICIES.items():
        for offset in range(0, 400, 37):
            due = date(2026, 1, 1) + timedelta(days=offset)
            at = debit_not_before(due_date=due, policy=policy)
            assert is_within_allowed_hours(at=at, policy=policy), (rail, due)
            assert at.astimezone(policy.timezone).date() == due, (rail, due)
            assert not is_within_allowed_hours(at=at - timedelta(seconds=1), policy=policy) or (
                at.astimezone(policy.timezone).time() == time(0)
            ), (rail, due)
