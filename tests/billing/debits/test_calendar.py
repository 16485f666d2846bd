from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.errors import AmountOverRailCap, CalendarExists, InvalidPaymentMethod
from pawpact.billing.models import DebitPeriod
from pawpact.billing.selectors import CalendarEntry, calendar_list
from pawpact.billing.services.calendar import calendar_due_dates, calendar_generate
from pawpact.payments.policies import RAIL_POLICIES, policy_for
from tests.billing.debits.factories import contract_create, plan_version_create


def test_period_one_is_the_signing_day_then_the_debit_day_of_each_following_month(shop):
    with schema_context(shop.schema_name):
        contract = contract_create(signed_on=date(2026, 1, 12))
        periods = list(DebitPeriod.objects.filter(contract=contract).order_by("number"))

    assert [p.due_date for p in periods] == [
        date(2026, 1, 12), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15),
        date(2026, 5, 15), date(2026, 6, 15), date(2026, 7, 15), date(2026, 8, 15),
        date(2026, 9, 15), date(2026, 10, 15), date(2026, 11, 15), date(2026, 12, 15),
    ]  # fmt: skip
    assert [p.number for p in periods] == list(range(1, 13))
    assert {p.amount_minor for p in periods} == {39_900}
    assert sum(p.amount_minor for p in periods) == 12 * 39_900 == contract.total_minor
    assert {p.status for p in periods} == {PeriodStatus.SCHEDULED}
    assert {p.currency for p in periods} == {"CNY"}
    # The sandbox rail allows every hour: each period opens at midnight Beijing time.
    assert periods[0].not_before == datetime(2026, 1, 11, 16, 0, tzinfo=UTC)
    assert periods[1].not_before == datetime(2026, 2, 14, 16, 0, tzinfo=UTC)


def test_signed_late_in_the_month_the_first_regular_debit_moves_a_month_later(shop):
    """31 January → 15 February is 15 days, under the rails' 28-day minimum period:
    period 2 is on 15 March, every amount and the total as signed."""
    with schema_context(shop.schema_name):
        contract = contract_create(signed_on=date(2026, 1, 31))
        periods = list(DebitPeriod.objects.filter(contract=contract).order_by("number"))

    assert [p.due_date for p in periods] == [
        date(2026, 1, 31), date(2026, 3, 15), date(2026, 4, 15), date(2026, 5, 15),
        date(2026, 6, 15), date(2026, 7, 15), date(2026, 8, 15), date(2026, 9, 15),
        date(2026, 10, 15), date(2026, 11, 15), date(2026, 12, 15), date(2027, 1, 15),
    ]  # fmt: skip
    assert [p.amount_minor for p in periods] == [39_900] * 12
    assert sum(p.amount_minor for p in periods) == contract.total_minor == 12 * 39_900


def test_a_24_period_calendar_crosses_the_year_and_keeps_the_debit_day():
    dates = calendar_due_dates(first_due_date=date(2026, 11, 3), debit_day=28, periods=24)
    assert len(dates) == 24
    assert dates[:3] == [date(2026, 11, 3), date(2026, 12, 28), date(2027, 1, 28)]
    assert dates[-1] == date(2028, 10, 28)


def test_wechat_periods_open_at_seven_in_the_morning_beijing_time(shop):
    with schema_context(shop.schema_name):
        contract = contract_create(rail="wechat", token="wx_agreement", signed_on=date(2026, 3, 1))
        first, second = DebitPeriod.objects.filter(contract=contract).order_by("number")[:2]

    # 07:00 Asia/Shanghai is 23:00 UTC the day before.
    assert first.not_before == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert second.due_date == date(2026, 4, 15)
    assert second.not_before == datetime(2026, 4, 14, 23, 0, tzinfo=UTC)


def test_the_calendar_is_generated_once(shop):
    with schema_context(shop.schema_name):
        contract = contract_create()
        before = list(DebitPeriod.objects.filter(contract=contract).values_list("id", "due_date", "amount_minor"))
        with pytest.raises(CalendarExists):
            calendar_generate(contract=contract, first_due_date=date(2026, 2, 1))
        after = list(DebitPeriod.objects.filter(contract=contract).values_list("id", "due_date", "amount_minor"))
    assert len(before) == 12
    assert after == before


def test_an_amount_above_the_rail_cap_writes_no_calendar(shop):
    with schema_context(shop.schema_name):
        version = plan_version_create(monthly_price_minor=500_001)  # WeChat caps one debit at ¥5,000
        contract = contract_create(rail="wechat", token="wx", plan_version=version, with_calendar=False)
        with pytest.raises(AmountOverRailCap):
            calendar_generate(contract=contract, first_due_date=date(2026, 1, 31))
        assert DebitPeriod.objects.filter(contract=contract).count() == 0


def test_a_contract_without_payment_method_gets_no_calendar(shop):
    with schema_context(shop.schema_name):
        contract = contract_create(with_calendar=False)
        contract.payment_method = None
        contract.save(update_fields=["payment_method"])
        with pytest.raises(InvalidPaymentMethod):
            calendar_generate(contract=contract, first_due_date=date(2026, 1, 31))
        assert DebitPeriod.objects.filter(contract=contract).count() == 0


def test_calendar_list_shows_every_date_and_amount(shop):
    with schema_context(shop.schema_name):
        version = plan_version_create(monthly_price_minor=59_900, periods=24, debit_day=5)
        contract = contract_create(plan_version=version)
        calendar = calendar_list(contract=contract)

    assert len(calendar) == 24
    assert calendar[0] == CalendarEntry(
        number=1, due_date=date(2026, 1, 12), amount_minor=59_900, currency="CNY", status="scheduled", paid_at=None
    )
    # 5 February is 24 days after signing, under the rails' 28-day minimum: period 2 is on 5 March.
    assert calendar[1].due_date == date(2026, 3, 5)
    assert calendar[-1].due_date == date(2028, 1, 5)
    assert sum(entry.amount_minor for entry in calendar) == 24 * 59_900


def _month_before(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, day.day)


@pytest.mark.parametrize("month", [date(2026, 1, 1), date(2026, 2, 1), date(2028, 2, 1), date(2026, 4, 1)])
def test_signing_on_any_day_keeps_every_debit_at_least_the_rails_minimum_period_apart(month):
    """Every signing day of a 31-, 28-, 29- and 30-day month, every debit day, every rail's
    minimum period: period 2 is the first debit day at least that far from period 1."""
    days = (date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days
    for signing_day in (month.replace(day=n) for n in range(1, days + 1)):
        for debit_day in range(1, 29):
            for minimum in sorted({policy.min_period_days for policy in RAIL_POLICIES.values()} | {28}):
                dates = calendar_due_dates(
                    first_due_date=signing_day, debit_day=debit_day, periods=24, min_period_days=minimum
                )
                assert len(dates) == 24 and dates[0] == signing_day
                assert {d.day for d in dates[1:]} == {debit_day}
                gaps = [(later - earlier).days for earlier, later in zip(dates, dates[1:], strict=False)]
                assert min(gaps) >= minimum, (signing_day, debit_day, gaps[0])
                # No later: one month earlier would have been too close (or not after signing).
                assert (_month_before(dates[1]) - signing_day).days < minimum, (signing_day, debit_day)
                assert all(
                    _month_before(later) == earlier for earlier, later in zip(dates[1:], dates[2:], strict=False)
                )


def test_signing_through_the_flow_on_each_day_of_a_month(shop):
    """The real activation on every day of March 2026 (seed-like plan, debit day 10): the
    calendar it writes never has two debits under 28 days apart, nor one needlessly late."""
    with schema_context(shop.schema_name):
        version = plan_version_create(debit_day=10)
        seen = {}
        for n in range(1, 32):
            contract = contract_create(plan_version=version, signed_on=date(2026, 3, n))
            periods = DebitPeriod.objects.filter(contract=contract).order_by("number")
            dates = list(periods.values_list("due_date", flat=True))
            assert (dates[1] - dates[0]).days >= policy_for("sandbox").min_period_days == 28
            seen[n] = dates[1]
    # Signed up to 13 March → 10 April (28 days or more); from 14 March → 10 May.
    assert {n for n, second in seen.items() if second == date(2026, 4, 10)} == set(range(1, 14))
    assert {n for n, second in seen.items() if second == date(2026, 5, 10)} == set(range(14, 32))
