"""Debit reminders: exact texts, which periods, idempotency, the batched run against the naive one."""
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import BillingSettings, DebitPeriod
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.reminders import (
    ReminderReport,
    reminder_run_naive,
    reminder_run_shop,
    reminder_send,
    reminder_text,
)
from pawpact.core.money import Money
from pawpact.messaging.models import Message
from tests.billing.lifecycle.messages.helpers import active_contract, at_beijing, clock_on, message_rows

# 7 March: period 3 (due 10 March) is 3 days ahead.
REMINDER_DAY = date(2026, 3, 7)
PERIOD_3_TEXT = (
    "【Alpha Pets】您的宠粮月付第 3/12 期 ¥399.00 将于 2026-03-10 自动扣款，仅用于宠粮、猫砂、驱虫。 / "
    "Period 3 of 12, ¥399.00, will be debited on 2026-03-10, for food, litter and deworming only."
)


def test_a_reminder_states_amount_period_n_of_n_date_and_scope_exactly(shop):
    with schema_context(shop.schema_name):
        contract = active_contract()
        report = reminder_run_shop(clock=clock_on(REMINDER_DAY))

        assert report == ReminderReport(periods=1, messages=2)
        messages = list(Message.objects.order_by("channel"))
        assert [(m.channel, m.category, m.topic, m.status, m.subject, m.body) for m in messages] == [
            ("in_app", "service", "debit_reminder", "sent", "Debit reminder", PERIOD_3_TEXT),
            ("sms", "service", "debit_reminder", "sent", "Debit reminder", PERIOD_3_TEXT),
        ]
        assert {m.customer_id for m in messages} == {contract.customer_id}
        assert {m.dedupe_key for m in messages} == {
            f"reminder:{contract.uuid}:3:2026-03-10#sms", f"reminder:{contract.uuid}:3:2026-03-10#in_app",
        }  # fmt: skip
        assert {m.backend for m in messages} == {"pawpact.messaging.backends.DatabaseBackend"}
        period = DebitPeriod.objects.get(contract=contract, number=3)
        assert period.status == PeriodStatus.REMINDED
        assert period.reminded_at == at_beijing(REMINDER_DAY)
        # Every other period is untouched.
        assert DebitPeriod.objects.filter(contract=contract, reminded_at__isnull=False).count() == 1


def test_the_text_without_a_bilingual_scope_and_in_other_amounts():
    text = reminder_text(
        shop_name="快乐爪爪", period_number=12, periods=24, amount=Money(123_456), due_date=date(2027, 1, 5),
        scope_of_use="Food only",
    )  # fmt: skip
    assert text == (
        "【快乐爪爪】您的宠粮月付第 12/24 期 ¥1,234.56 将于 2027-01-05 自动扣款，用途：Food only。 / "
        "Period 12 of 24, ¥1,234.56, will be debited on 2027-01-05, scope of use: Food only."
    )


def test_only_scheduled_periods_of_active_contracts_inside_the_window_are_reminded(shop):
    with schema_context(shop.schema_name):
        due_in_3 = active_contract()
        paid = active_contract()
        DebitPeriod.objects.filter(contract=paid, number=3).update(status=PeriodStatus.PAID)
        cancelled = active_contract()
        DebitPeriod.objects.filter(contract=cancelled, number=3).update(status=PeriodStatus.CANCELLED)
        failed = active_contract()
        DebitPeriod.objects.filter(contract=failed, number=3).update(status=PeriodStatus.FAILED)
        not_active = [active_contract(status=status) for status in (
            ContractStatus.SIGNED, ContractStatus.TERMINATED_EARLY, ContractStatus.COMPLETED,
            ContractStatus.TERMINATED_PET_LOSS, ContractStatus.DEFAULTED,
        )]  # fmt: skip
        # Due in 4 days on the reminder day: not yet.
        due_in_4 = active_contract()
        DebitPeriod.objects.filter(contract=due_in_4, number=3).update(due_date=date(2026, 3, 11))
        # Due today: the debit run takes it; too late to announce 3 days ahead.
        due_today = active_contract()
        DebitPeriod.objects.filter(contract=due_today, number=3).update(due_date=REMINDER_DAY)

        report = reminder_run_shop(clock=clock_on(REMINDER_DAY))

        assert report == ReminderReport(periods=1, messages=2)
        reminded = DebitPeriod.objects.filter(status=PeriodStatus.REMINDED)
        assert list(reminded.values_list("contract_id", "number")) == [(due_in_3.pk, 3)]
        assert {row[0] for row in message_rows()} == {due_in_3.customer_id}
        assert not any(c.customer_id in {row[0] for row in message_rows()} for c in not_active)

        # The next day, the period due on 11 March is 3 days ahead.
        assert reminder_run_shop(clock=clock_on(date(2026, 3, 8))) == ReminderReport(periods=1, messages=2)
        assert DebitPeriod.objects.get(contract=due_in_4, number=3).status == PeriodStatus.REMINDED


def test_a_missed_day_is_caught_up_inside_the_window(shop):
    with schema_context(shop.schema_name):
        contract = active_contract()
        # The run did not run on 7 March; on 8 March period 3 is 2 days ahead and still announced.
        assert reminder_run_shop(clock=clock_on(date(2026, 3, 8))) == ReminderReport(periods=1, messages=2)
        assert DebitPeriod.objects.get(contract=contract, number=3).status == PeriodStatus.REMINDED


def test_the_days_before_come_from_the_shop_settings(shop):
    with schema_context(shop.schema_name):
        settings_row = billing_settings_get()
        settings_row.reminder_days_before = 5
        settings_row.save()
        contract = active_contract()
        assert reminder_run_shop(clock=clock_on(date(2026, 3, 4))) == ReminderReport(periods=0, messages=0)
        assert reminder_run_shop(clock=clock_on(date(2026, 3, 5))) == ReminderReport(periods=1, messages=2)
        assert DebitPeriod.objects.get(contract=contract, number=3).status == PeriodStatus.REMINDED


def test_running_twice_stores_each_reminder_once(shop):
    with schema_context(shop.schema_name):
        contracts = [active_contract() for _ in range(3)]
        clock = clock_on(REMINDER_DAY)
        assert reminder_run_shop(clock=clock, batch_size=2) == ReminderReport(periods=3, messages=6)
        first = message_rows()
        assert reminder_run_shop(clock=clock, batch_size=2) == ReminderReport()
        assert message_rows() == first
        assert len(first) == 6
        # The naive path on an already reminded period returns the stored rows, adds nothing.
        period = DebitPeriod.objects.get(contract=contracts[0], number=3)
        again = reminder_send(period=period, clock=clock)
        assert sorted(m.dedupe_key for m in again) == sorted(
            [f"reminder:{contracts[0].uuid}:3:2026-03-10#sms", f"reminder:{contracts[0].uuid}:3:2026-03-10#in_app"]
        )
        assert message_rows() == first


@pytest.mark.parametrize("status", [PeriodStatus.DEFERRED, PeriodStatus.SCHEDULED])
def test_a_deferred_period_is_announced_again_for_its_new_date(shop, status):
    with schema_context(shop.schema_name):
        contract = active_contract()
        reminder_run_shop(clock=clock_on(REMINDER_DAY))
        # A deferral moved period 3 a month on: DEFERRED (or already released to SCHEDULED).
        DebitPeriod.objects.filter(contract=contract, number=3).update(
            status=status, original_due_date=date(2026, 3, 10), due_date=date(2026, 4, 9), reminded_at=None
        )
        assert reminder_run_shop(clock=clock_on(date(2026, 4, 5))) == ReminderReport()
        report = reminder_run_shop(clock=clock_on(date(2026, 4, 6)))
        # Period 3 (now 9 April) is 3 days ahead; period 4 (10 April) is 4 days ahead, not yet.
        assert report == ReminderReport(periods=1, messages=2)
        bodies = list(Message.objects.filter(channel="sms").order_by("id").values_list("body", flat=True))
        assert len(bodies) == 2
        assert "第 3/12 期 ¥399.00 将于 2026-04-09" in bodies[1]
        period = DebitPeriod.objects.get(contract=contract, number=3)
        assert (period.status, period.reminded_at) == (PeriodStatus.REMINDED, at_beijing(date(2026, 4, 6)))


def test_the_batched_run_and_the_naive_loop_write_the_same_rows(shop, other_shop):
    clock = clock_on(REMINDER_DAY)
    results = {}
    for each, run in ((shop, reminder_run_shop), (other_shop, reminder_run_naive)):
        with schema_context(each.schema_name):
            for _ in range(4):
                active_contract()
            report = run(clock=clock)
            assert report == ReminderReport(periods=4, messages=8)
            results[each.schema_name] = sorted(
                (m.channel, m.category, m.topic, m.status, m.subject, m.body.replace(each.name, "<shop>"))
                for m in Message.objects.all()
            )
            assert DebitPeriod.objects.filter(status=PeriodStatus.REMINDED).count() == 4
            assert BillingSettings.objects.count() == 1
    assert len(results[shop.schema_name]) == 8
    assert results[shop.schema_name] == results[other_shop.schema_name]
