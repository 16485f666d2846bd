"""Deferral coupons: the calendar shifts a month, at most the shop's allowance, never twice in a row."""
from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.holds import customer_holds
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import DebitAttempt, DebitPeriod, DeferralCoupon
from pawpact.billing.services.deferral import (
    DeferralRefused,
    deferral_coupon_issue,
    deferral_use,
)
from pawpact.core.months import add_months
from pawpact.customers.enums import CustomerStanding
from tests.billing.lifecycle.dunning.helpers import (
    DUE,
    at,
    day,
    debit_run_on,
    dunning_on,
    events,
    late_contract,
    on,
    period,
    settings_set,
    state,
)

MARCH_1 = date(2026, 3, 1)


def calendar(contract) -> list[tuple]:
    return list(
        DebitPeriod.objects.filter(contract=contract)
        .order_by("number")
        .values_list("number", "due_date", "original_due_date", "status")
    )


def snapshot(contract) -> tuple:
    return (
        list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list(
            "due_date", "original_due_date", "not_before", "status", "overdue_since", "next_retry_on")),
        list(DeferralCoupon.objects.filter(contract=contract).order_by("id").values_list("used_on", "used_at")),
        events(contract),
    )  # fmt: skip


def paid_up_contract():
    """Periods 1 and 2 paid; period 3 due on 10 March, then the 10th of every month."""
    contract = late_contract("tok_success")
    debit_run_on(DUE)
    assert period(contract, 2).status == PeriodStatus.PAID
    return contract


def test_a_deferral_moves_the_period_and_every_later_one_by_a_month(shop):
    with schema_context(shop.schema_name):
        contract = paid_up_contract()
        with on(MARCH_1):
            coupon = deferral_coupon_issue(contract=contract, reason="Moving house")
            deferred = deferral_use(contract=contract, period_number=3)
        assert deferred.number == 3
        rows = calendar(contract)
        assert rows[:2] == [
            (1, date(2026, 1, 12), None, PeriodStatus.PAID),
            (2, date(2026, 2, 10), None, PeriodStatus.PAID),
        ]
        assert rows[2] == (3, date(2026, 4, 10), date(2026, 3, 10), PeriodStatus.DEFERRED)
        for number, due, original, status in rows[3:]:
            assert (due, original, status) == (add_months(original, 1), add_months(date(2026, 3, 10), number - 3),
                                               PeriodStatus.SCHEDULED)  # fmt: skip
        assert rows[-1] == (12, date(2027, 1, 10), date(2026, 12, 10), PeriodStatus.SCHEDULED)
        # The rail's policy gives the first instant of the new day: midnight in Beijing.
        assert period(contract, 3).not_before == datetime(2026, 4, 9, 16, 0, tzinfo=UTC)
        coupon.refresh_from_db()
        assert (coupon.used_on_id, coupon.used_at) == (period(contract, 3).pk, at(MARCH_1))

        debit_run_on(date(2026, 3, 10))  # nothing is charged on the old date
        assert DebitAttempt.objects.filter(period__contract=contract, period__number=3).count() == 0
        dunning_on(date(2026, 4, 6))
        assert period(contract, 3).status == PeriodStatus.DEFERRED
        dunning_on(date(2026, 4, 7))  # its reminder window opens: scheduled again
        assert period(contract, 3).status == PeriodStatus.SCHEDULED
        debit_run_on(date(2026, 4, 10))
        assert period(contract, 3).status == PeriodStatus.PAID
        assert period(contract, 4).status == PeriodStatus.SCHEDULED
        assert unbalanced_journals() == []


def test_a_second_deferral_is_refused_when_the_shop_allows_one(shop):
    with schema_context(shop.schema_name):
        contract = paid_up_contract()
        with on(MARCH_1):
            deferral_coupon_issue(contract=contract)
            deferral_use(contract=contract, period_number=3)
            before = snapshot(contract)
            with pytest.raises(DeferralRefused) as refused:
                deferral_use(contract=contract, period_number=6)
            assert (refused.value.code, refused.value.http_status) == ("deferral_refused", 422)
            assert refused.value.message == "This contract has used its 1 deferral: the shop allows 1 per contract."
            with pytest.raises(DeferralRefused) as refused:
                deferral_coupon_issue(contract=contract)
            assert refused.value.message == "This contract has used its 1 deferral: the shop allows 1 per contract."
        assert snapshot(contract) == before
        assert DeferralCoupon.objects.filter(contract=contract).count() == 1


def test_a_deferral_is_never_used_twice_in_a_row(shop):
    with schema_context(shop.schema_name):
        settings_set(deferrals_per_contract=2)
        contract = paid_up_contract()
        with on(MARCH_1):
            deferral_coupon_issue(contract=contract)
            deferral_coupon_issue(contract=contract)
            deferral_use(contract=contract, period_number=4)
            before = snapshot(contract)
            for number, other in ((5, 4), (3, 4)):
                with pytest.raises(DeferralRefused) as refused:
                    deferral_use(contract=contract, period_number=number)
                assert refused.value.code == "deferral_twice_in_a_row"
                assert refused.value.message == (
                    f"Deferrals cannot be used twice in a row: period {other} was deferred, "
                    f"so period {number} cannot be."
                )
            assert snapshot(contract) == before
            deferral_use(contract=contract, period_number=6)  # not next to 4: allowed
        assert [(n, s) for n, _, _, s in calendar(contract)][3:6] == [
            (4, PeriodStatus.DEFERRED), (5, PeriodStatus.SCHEDULED), (6, PeriodStatus.DEFERRED),
        ]  # fmt: skip
        # Period 6 moved twice (with 4, then itself): 10 June → 10 July → 10 August.
        assert calendar(contract)[5][1:3] == (date(2026, 8, 10), date(2026, 6, 10))


@pytest.mark.parametrize(
    ("number", "message", "code"),
    [
        (1, "Period 1 is paid and cannot be deferred.", "deferral_refused"),
        (13, "This contract has no period 13.", "invalid"),
    ],
)
def test_a_period_that_cannot_move_is_refused_with_nothing_changed(shop, number, message, code):
    with schema_context(shop.schema_name):
        contract = paid_up_contract()
        with on(MARCH_1):
            deferral_coupon_issue(contract=contract)
            before = snapshot(contract)
            with pytest.raises(Exception) as refused:
                deferral_use(contract=contract, period_number=number)
        assert (refused.value.code, refused.value.message) == (code, message)
        assert snapshot(contract) == before


def test_without_a_coupon_nothing_is_deferred(shop):
    with schema_context(shop.schema_name):
        contract = paid_up_contract()
        before = snapshot(contract)
        with on(MARCH_1), pytest.raises(DeferralRefused) as refused:
            deferral_use(contract=contract, period_number=3)
        assert (refused.value.code, refused.value.message) == (
            "no_deferral_coupon", "This contract has no unused deferral coupon.",
        )  # fmt: skip
        assert snapshot(contract) == before


def test_deferring_the_overdue_period_with_the_automatic_coupon_recovers_the_customer(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        dunning_on(DUE)
        dunning_on(day(11))  # overdue: holds, and the automatic coupon
        assert customer_holds(customer=contract.customer).shipment_held is True
        with on(day(12), 20, 0):
            deferral_use(contract=contract, period_number=2)
        assert state(contract) == (PeriodStatus.DEFERRED, None, None, CustomerStanding.CURRENT)
        assert customer_holds(customer=contract.customer).shipment_held is False
        assert calendar(contract)[1:3] == [
            (2, date(2026, 3, 10), date(2026, 2, 10), PeriodStatus.DEFERRED),
            (3, date(2026, 4, 10), date(2026, 3, 10), PeriodStatus.SCHEDULED),
        ]
        assert [(kind, payload["period_number"]) for kind, payload in events(contract, "period.overdue",
                                                                             "period.recovered")] == [
            ("period.overdue", 2), ("period.recovered", 2),
        ]  # fmt: skip
        dunning_on(day(13), times=2)  # no retry, no call for a deferred period
        assert DebitAttempt.objects.filter(period=period(contract, 2)).count() == 1


def test_a_period_overdue_for_more_than_a_month_cannot_be_deferred(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        dunning_on(day(11))
        before = snapshot(contract)
        with on(date(2026, 3, 15)), pytest.raises(DeferralRefused) as refused:
            deferral_use(contract=contract, period_number=2)
        assert refused.value.message == (
            "Period 2 was due on 2026-02-10: a month later is not in the future, so it cannot be deferred."
        )
        assert snapshot(contract) == before
