"""When a signed WeChat plan's deposit and first month are debited and when it starts: the
days every page shows are the days the queued activation job really debits (against the
local fake WeChat Pay), whenever in the day the customer signed (07:00–22:00 window)."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.billing.activation_schedule import (
    DEPOSIT,
    FIRST_PERIOD,
    activation_schedule,
    activation_schedule_text,
    waiting_schedule,
)
from pawpact.billing.enums import AttemptStatus, ContractStatus, DepositStatus
from pawpact.billing.models import Contract, DebitAttempt
from pawpact.billing.selectors import activation_starts_on
from pawpact.config.schedules import beat_schedule
from pawpact.core.clock import FixedClock
from tests.billing.debits.factories import contract_create
from tests.billing.signing.test_queued_activation import MONTHLY, SIGNED_AT, _agreement_signed, _run, shop_wechat  # noqa: F401
from tests.payments.gateways import fake_wechat  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
DEPOSIT_MINOR = 50_000
BEIJING = ZoneInfo("Asia/Shanghai")


def _beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def _schedule(shop, contract, at):
    with schema_context(shop.schema_name):
        contract = Contract.objects.select_related("payment_method").get(pk=contract.pk)
        return activation_schedule(contract, clock=FixedClock(at))


def _days(schedule):
    return [(debit.what, debit.amount_minor, debit.on) for debit in schedule.debits], schedule.starts_on


def _succeeded(shop, contract):
    with schema_context(shop.schema_name):
        return sorted(DebitAttempt.objects.filter(period__contract=contract, status=AttemptStatus.SUCCEEDED)
                      .values_list("amount_minor", flat=True)), Contract.objects.get(pk=contract.pk)  # fmt: skip


def test_the_deposit_is_debited_the_day_after_its_notice_and_the_plan_starts_the_day_after(
    shop, shop_wechat, time_machine  # noqa: F811
):
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=DEPOSIT_MINOR)  # 11:00 on 1 Dec
    expected = ([(DEPOSIT, DEPOSIT_MINOR, date(2026, 12, 2)), (FIRST_PERIOD, MONTHLY, date(2026, 12, 3))],
                date(2026, 12, 3))  # fmt: skip
    assert _days(_schedule(shop, contract, SIGNED_AT)) == expected
    _run(shop, SIGNED_AT)  # the deposit's notice goes out
    assert list(shop_wechat.notices.values()) == [DEPOSIT_MINOR]
    assert _days(_schedule(shop, contract, SIGNED_AT + timedelta(hours=5))) == expected

    _run(shop, _beijing(date(2026, 12, 2), 6, 50))  # before WeChat's hours: nothing moves
    assert _succeeded(shop, contract)[0] == []
    _run(shop, _beijing(date(2026, 12, 2), 7, 20))  # on the day shown: the deposit, then period 1's notice
    taken, now = _succeeded(shop, contract)
    assert taken == [] and now.deposit_status == DepositStatus.HELD and now.status == ContractStatus.SIGNED
    assert list(shop_wechat.notices.values()) == [MONTHLY]  # period 1's notice follows the deposit's
    assert _days(_schedule(shop, contract, _beijing(date(2026, 12, 2), 9))) == (
        [(FIRST_PERIOD, MONTHLY, date(2026, 12, 3))], date(2026, 12, 3))

    _run(shop, _beijing(date(2026, 12, 2), 21, 50))  # not before the day shown
    assert _succeeded(shop, contract)[1].status == ContractStatus.SIGNED
    _run(shop, _beijing(date(2026, 12, 3), 7, 20))
    taken, now = _succeeded(shop, contract)
    assert taken == [MONTHLY] and now.status == ContractStatus.ACTIVE
    assert _schedule(shop, contract, _beijing(date(2026, 12, 3), 8)) is None


def test_signed_after_the_window_closes_every_day_moves_on_by_one(shop, shop_wechat, time_machine):  # noqa: F811
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=DEPOSIT_MINOR)
    late = _beijing(date(2026, 12, 1), 22, 30)
    assert _days(_schedule(shop, contract, late)) == (
        [(DEPOSIT, DEPOSIT_MINOR, date(2026, 12, 3)), (FIRST_PERIOD, MONTHLY, date(2026, 12, 4))], date(2026, 12, 4))
    _run(shop, late)  # after 22:00: no notice tonight
    assert shop_wechat.notices == {}
    early = _beijing(date(2026, 12, 2), 6, 30)  # before 07:00 the same day still counts
    assert _days(_schedule(shop, contract, early))[1] == date(2026, 12, 4)
    _run(shop, _beijing(date(2026, 12, 2), 7, 20))
    assert list(shop_wechat.notices.values()) == [DEPOSIT_MINOR]
    _run(shop, _beijing(date(2026, 12, 3), 7, 20))
    assert _succeeded(shop, contract)[1].deposit_status == DepositStatus.HELD
    _run(shop, _beijing(date(2026, 12, 4), 7, 20))
    assert _succeeded(shop, contract)[1].status == ContractStatus.ACTIVE


def test_without_a_deposit_period_1_is_debited_the_day_after_its_notice(shop, shop_wechat, time_machine):  # noqa: F811
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    _run(shop, SIGNED_AT)
    schedule = _schedule(shop, contract, SIGNED_AT)
    assert _days(schedule) == ([(FIRST_PERIOD, MONTHLY, date(2026, 12, 2))], date(2026, 12, 2))
    with schema_context(shop.schema_name):
        stored = Contract.objects.get(pk=contract.pk)
        assert activation_starts_on(stored, clock=FixedClock(SIGNED_AT)) == date(2026, 12, 2)
    with translation.override("en"):
        assert activation_schedule_text(schedule) == (
            "The first month ¥399.00 will be debited on 2026-12-02; the plan starts on 2026-12-02.")
        assert activation_schedule_text(schedule, after_colon=True) == (
            "the first month ¥399.00 will be debited on 2026-12-02; the plan starts on 2026-12-02.")
    with translation.override("zh-hans"):
        assert activation_schedule_text(schedule) == "首期 ¥399.00 将于 2026-12-02 扣款，套餐自 2026-12-02 生效。"


def test_the_schedule_reads_alike_in_both_languages(shop, shop_wechat, time_machine):  # noqa: F811
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=DEPOSIT_MINOR)
    schedule = _schedule(shop, contract, SIGNED_AT)
    with translation.override("en"):
        assert activation_schedule_text(schedule) == (
            "Deposit ¥500.00 will be debited on 2026-12-02, the first month ¥399.00 on 2026-12-03;"
            " the plan starts on 2026-12-03.")
        assert activation_schedule_text(schedule, after_colon=True) == (
            "deposit ¥500.00 will be debited on 2026-12-02, the first month ¥399.00 on 2026-12-03;"
            " the plan starts on 2026-12-03.")
    with translation.override("zh-hans"):
        assert activation_schedule_text(schedule) == (
            "押金 ¥500.00 将于 2026-12-02 扣款，首期 ¥399.00 将于 2026-12-03 扣款，套餐自 2026-12-03 生效。")
        assert activation_schedule_text(schedule, after_colon=True) == activation_schedule_text(schedule)
    # The cooling-off ends the plan's days after the start, as the activation will store it.
    assert schedule.cooling_off_until == date(2026, 12, 10)


def test_a_rail_without_notices_takes_everything_at_once_and_other_contracts_have_no_schedule(shop):
    at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 Beijing: Alipay and cards have no hours
    with schema_context(shop.schema_name):
        signed = contract_create(status=ContractStatus.SIGNED, with_calendar=False, deposit_minor=DEPOSIT_MINOR,
                                 deposit_status=DepositStatus.DUE)  # fmt: skip
        schedule = activation_schedule(signed, rail="alipay", clock=FixedClock(at))
        assert _days(schedule) == (
            [(DEPOSIT, DEPOSIT_MINOR, date(2026, 12, 1)), (FIRST_PERIOD, MONTHLY, date(2026, 12, 1))],
            date(2026, 12, 1))
        assert not schedule.waits and waiting_schedule(signed, clock=FixedClock(at)) is None
        with translation.override("zh-hans"):
            assert activation_schedule_text(schedule) == "首期 ¥399.00 和可退还押金 ¥500.00 立即扣款，套餐今日生效。"
        # a WeChat choice not yet made is planned from now: after 22:00 its notice waits for tomorrow
        wechat = activation_schedule(signed, rail="wechat", clock=FixedClock(at))
        assert _days(wechat) == (
            [(DEPOSIT, DEPOSIT_MINOR, date(2026, 12, 3)), (FIRST_PERIOD, MONTHLY, date(2026, 12, 4))],
            date(2026, 12, 4))
        active = contract_create(status=ContractStatus.ACTIVE)
        assert activation_schedule(active, rail="wechat") is None and activation_schedule(signed) is None


def _job_runs(after: datetime, *, through: date):
    """The queued activation job's runs as its beat schedule has them, from `after` to `through`."""
    cron = beat_schedule()["billing-queued-activations"]["schedule"]
    day = after.astimezone(BEIJING).date()
    while day <= through:
        for hour in sorted(cron.hour):
            for minute in sorted(cron.minute):
                run = _beijing(day, hour, minute)
                if run >= after:
                    yield run
        day += timedelta(days=1)


@pytest.mark.parametrize(("hour", "minute", "deposit_day", "start_day"), [
    (21, 49, 2, 3),  # the 21:50 run sends the deposit's notice tonight
    (21, 55, 3, 4),  # after the day's last run (21:50): the notice goes tomorrow at 07:20
    (22, 5, 3, 4),
    (6, 30, 2, 3),  # before the day's first run: the notice goes at 07:20 the same day
])  # fmt: skip
def test_the_days_promised_are_those_of_the_jobs_real_runs(
    shop, shop_wechat, time_machine, hour, minute, deposit_day, start_day  # noqa: F811
):
    signed_at = _beijing(date(2026, 12, 1), hour, minute)
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=DEPOSIT_MINOR, at=signed_at)
    deposit_on, starts_on = date(2026, 12, deposit_day), date(2026, 12, start_day)
    assert _days(_schedule(shop, contract, signed_at)) == (
        [(DEPOSIT, DEPOSIT_MINOR, deposit_on), (FIRST_PERIOD, MONTHLY, starts_on)], starts_on)
    for run in _job_runs(signed_at, through=starts_on):
        _run(shop, run)
        day = run.astimezone(BEIJING).date()
        taken, now = _succeeded(shop, contract)
        assert (now.deposit_status == DepositStatus.HELD) == (day >= deposit_on), run
        assert (now.status == ContractStatus.ACTIVE, taken) == (
            (True, [MONTHLY]) if day >= starts_on else (False, [])), run
    assert now.activated_at.astimezone(BEIJING).date() == starts_on
