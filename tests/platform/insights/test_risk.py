"""Shop risk: the daily figures, the automatic states, overrides, and the block reaching
the shop's own signing service across the schema boundary."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.errors import SigningBlocked
from pawpact.billing.models import Contract, Plan
from pawpact.billing.services.signing import application_create
from pawpact.core.clock import FixedClock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.services import customer_create, pet_create
from pawpact.platform.models import ShopDailyRisk, ShopRiskChange, ShopRiskOverride
from pawpact.platform.risk.errors import NoOverride, OverrideReasonMissing, UnknownRiskState
from pawpact.platform.risk.services import risk_daily_compute, risk_override_lift, risk_override_set, risk_state_next
from pawpact.platform.tasks import risk_daily_dispatch_task
from pawpact.tenants.enums import ShopRiskState as R
from tests.platform.insights.conftest import NOW, at, debit, overdue, recovered, sign

DAY = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("current", "rate", "expected"),
    [
        (R.HEALTHY, "0.02", R.HEALTHY), (R.HEALTHY, "0.020001", R.WATCH), (R.HEALTHY, "0.03", R.WATCH),
        (R.HEALTHY, "0.030001", R.BLOCKED_NEW_SIGNINGS),
        (R.WATCH, "0.025", R.WATCH), (R.WATCH, "0.02", R.HEALTHY), (R.WATCH, "0.04", R.BLOCKED_NEW_SIGNINGS),
        (R.BLOCKED_NEW_SIGNINGS, "0.03", R.BLOCKED_NEW_SIGNINGS),  # must recover, not just dip below 3 %
        (R.BLOCKED_NEW_SIGNINGS, "0.020001", R.BLOCKED_NEW_SIGNINGS),
        (R.BLOCKED_NEW_SIGNINGS, "0.02", R.HEALTHY), (R.BLOCKED_NEW_SIGNINGS, "0", R.HEALTHY),
    ],
)  # fmt: skip
def test_the_state_machine(current, rate, expected):
    assert risk_state_next(current=current, overdue_rate=Decimal(rate)) == expected


def contracts(shop, count: int) -> list[str]:
    """`count` basic contracts that started on 1 March."""
    return [sign(shop, at(1)) for _ in range(count)]


def clock_after(day: date) -> FixedClock:
    return FixedClock(NOW.replace(month=day.month, day=day.day) + timedelta(days=1))


def state_of(shop) -> str:
    shop.refresh_from_db()
    return shop.risk_state


def test_overdue_above_3_percent_blocks_and_logs_the_figures(shop):
    book = contracts(shop, 25)
    overdue(shop, at(10), contract=book[0])  # 1 of 25 = 4 %
    debit(shop, at(10), contract=book[1], amount=39900, paid=False)

    row = risk_daily_compute(shop=shop, day=DAY, clock=clock_after(DAY))

    assert (row.active_contracts, row.overdue_contracts, row.overdue_rate) == (25, 1, Decimal("0.040000"))
    assert (row.debits_attempted, row.debits_succeeded, row.debit_success_rate) == (26, 25, Decimal("0.961538"))
    assert row.state == R.BLOCKED_NEW_SIGNINGS
    assert state_of(shop) == R.BLOCKED_NEW_SIGNINGS
    change = ShopRiskChange.objects.get(shop=shop)
    assert (change.from_state, change.to_state, change.overdue_rate, change.is_override, change.actor) == (
        R.HEALTHY, R.BLOCKED_NEW_SIGNINGS, Decimal("0.040000"), False, None)  # fmt: skip
    assert "overdue rate 4.00% (1 of 25 active contracts overdue)" in change.reason


def run_days(shop, first: date, last: date) -> list[str]:
    states, day = [], first
    while day <= last:
        states.append(risk_daily_compute(shop=shop, day=day, clock=clock_after(day)).state)
        day += timedelta(days=1)
    return states


def test_watch_then_blocked_then_healthy_only_on_recovery(shop):
    book = contracts(shop, 40)
    overdue(shop, at(2), contract=book[0])  # 2 March: 1 / 40 = 2.5 %
    overdue(shop, at(3), contract=book[1])  # 3 March: 2 / 40 = 5 %
    recovered(shop, at(4), contract=book[1])  # 4 March: 2.5 % again
    recovered(shop, at(5), contract=book[0])  # 5 March: 0 %

    states = run_days(shop, date(2026, 3, 1), date(2026, 3, 5))

    assert states == [R.HEALTHY, R.WATCH, R.BLOCKED_NEW_SIGNINGS, R.BLOCKED_NEW_SIGNINGS, R.HEALTHY]
    assert state_of(shop) == R.HEALTHY
    changes = list(ShopRiskChange.objects.filter(shop=shop).order_by("at").values_list(
        "from_state", "to_state", "overdue_rate"))  # fmt: skip
    assert changes == [
        (R.HEALTHY, R.WATCH, Decimal("0.025000")),
        (R.WATCH, R.BLOCKED_NEW_SIGNINGS, Decimal("0.050000")),
        (R.BLOCKED_NEW_SIGNINGS, R.HEALTHY, Decimal("0")),
    ]


def test_the_daily_run_twice_writes_one_row_and_one_change(shop):
    book = contracts(shop, 20)
    overdue(shop, at(10), contract=book[0])  # 5 %

    risk_daily_dispatch_task.delay(DAY.isoformat())
    risk_daily_dispatch_task.delay(DAY.isoformat())

    assert ShopDailyRisk.objects.filter(shop=shop, day=DAY).count() == 1
    assert ShopRiskChange.objects.filter(shop=shop).count() == 1
    assert state_of(shop) == R.BLOCKED_NEW_SIGNINGS


def test_the_dispatcher_covers_every_ready_shop_and_defaults_to_yesterday(shop, other_shop, time_machine):
    time_machine.move_to(NOW, tick=False)
    assert risk_daily_dispatch_task.delay().get() == 2
    yesterday = NOW.date() - timedelta(days=1)
    assert set(ShopDailyRisk.objects.values_list("shop__slug", "day")) == {("alpha", yesterday), ("beta", yesterday)}


def test_a_day_that_has_not_ended_is_refused(shop):
    with pytest.raises(ValidationFailed):
        risk_daily_compute(shop=shop, day=DAY, clock=FixedClock(NOW.replace(month=3, day=20)))
    assert not ShopDailyRisk.objects.exists()


def test_recomputing_an_older_day_does_not_move_todays_state(shop):
    book = contracts(shop, 20)
    overdue(shop, at(10), contract=book[0])  # 5 % from 10 March
    run_days(shop, date(2026, 3, 9), date(2026, 3, 10))
    assert state_of(shop) == R.BLOCKED_NEW_SIGNINGS

    risk_daily_compute(shop=shop, day=date(2026, 3, 9), clock=clock_after(DAY))

    assert state_of(shop) == R.BLOCKED_NEW_SIGNINGS
    assert ShopRiskChange.objects.filter(shop=shop).count() == 1


def _adopter_and_basic():
    customer = customer_create(name="Wang Fang", phone="13900001234", birth_date=date(1995, 5, 5))
    pet = pet_create(owner=customer, name="Mimi", species="cat")
    return customer, pet, Plan.objects.get(code="basic").versions.get(version=1)


def test_a_shop_blocked_in_public_cannot_sign_in_its_own_schema(shop):
    book = contracts(shop, 25)
    overdue(shop, at(10), contract=book[0])  # 4 %
    risk_daily_compute(shop=shop, day=DAY, clock=clock_after(DAY))  # in the public schema

    with schema_context(shop.schema_name):
        customer, pet, basic = _adopter_and_basic()
        with pytest.raises(SigningBlocked) as blocked:
            application_create(customer=customer, pet=pet, plan_version_id=basic.pk)
        assert blocked.value.message == "New signings are blocked by the platform's risk controls."
        assert not Contract.objects.exists()

    recovered(shop, at(21), contract=book[0])
    risk_daily_compute(shop=shop, day=date(2026, 3, 21), clock=clock_after(date(2026, 3, 21)))
    assert state_of(shop) == R.HEALTHY
    with schema_context(shop.schema_name):
        application_create(customer=customer, pet=pet, plan_version_id=basic.pk)
        assert Contract.objects.count() == 1


def test_an_override_holds_over_the_figures_and_lifting_returns_to_them(shop, platform_admin):
    book = contracts(shop, 25)
    overdue(shop, at(10), contract=book[0])  # 4 %: the figures say blocked

    risk_override_set(shop_id=shop.pk, state=R.WATCH, reason="Owner paid arrears in cash", actor=platform_admin)
    assert state_of(shop) == R.WATCH
    risk_daily_compute(shop=shop, day=DAY, clock=clock_after(DAY))
    assert state_of(shop) == R.WATCH  # the override holds
    assert ShopDailyRisk.objects.get(shop=shop, day=DAY).state == R.BLOCKED_NEW_SIGNINGS  # still computed

    risk_override_lift(shop_id=shop.pk, reason="Cash not received", actor=platform_admin)

    assert state_of(shop) == R.BLOCKED_NEW_SIGNINGS
    assert not ShopRiskOverride.objects.filter(shop=shop).exists()
    log = list(ShopRiskChange.objects.filter(shop=shop).order_by("at", "id").values_list(
        "from_state", "to_state", "is_override", "reason", "actor__email"))  # fmt: skip
    assert log == [
        (R.HEALTHY, R.WATCH, True, "Owner paid arrears in cash", "ops@pawpact.test"),
        (R.WATCH, R.BLOCKED_NEW_SIGNINGS, True, "Override lifted: Cash not received", "ops@pawpact.test"),
    ]


def test_an_override_can_unblock_a_shop_so_it_signs_again(shop, platform_admin):
    book = contracts(shop, 25)
    overdue(shop, at(10), contract=book[0])
    risk_daily_compute(shop=shop, day=DAY, clock=clock_after(DAY))

    risk_override_set(shop_id=shop.pk, state=R.HEALTHY, reason="Audited: overdue is a bank error",
                      actor=platform_admin)  # fmt: skip

    with schema_context(shop.schema_name):
        customer, pet, basic = _adopter_and_basic()
        application_create(customer=customer, pet=pet, plan_version_id=basic.pk)
        assert Contract.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_override_without_a_reason_writes_nothing(shop, platform_admin, reason):
    with pytest.raises(OverrideReasonMissing) as refused:
        risk_override_set(shop_id=shop.pk, state=R.BLOCKED_NEW_SIGNINGS, reason=reason, actor=platform_admin)
    assert refused.value.http_status == 400 and refused.value.fields == {"reason": ["This field is required."]}
    assert state_of(shop) == R.HEALTHY
    assert not ShopRiskOverride.objects.exists() and not ShopRiskChange.objects.exists()


def test_bad_override_requests_write_nothing(shop, platform_admin):
    with pytest.raises(UnknownRiskState):
        risk_override_set(shop_id=shop.pk, state="panic", reason="x", actor=platform_admin)
    with pytest.raises(NoOverride):
        risk_override_lift(shop_id=shop.pk, reason="nothing to lift", actor=platform_admin)
    with pytest.raises(OverrideReasonMissing):
        risk_override_lift(shop_id=shop.pk, reason="", actor=platform_admin)
    assert state_of(shop) == R.HEALTHY
    assert not ShopRiskOverride.objects.exists() and not ShopRiskChange.objects.exists()
