"""Time-travel scenarios: contracts lived day by day under time_machine, with the real
daily jobs of one shop (the services their tenant tasks run) at their scheduled hours
(Beijing time) every simulated day:

    00:15 debit run · 06:30 completion run · 08:00 renewal run + win-back credits
    09:00 reminder run · 09:30 dunning run

Customers act at noon. Every message, state, ledger balance and hold is asserted along
the way. (a) one Advanced contract through its 24 months with a failed debit, dunning,
recovery, a deferral, the renewal offer and completion; (b) one through early
termination; (c) one through pet loss.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.billing.enums import (
    CallTaskKind,
    CallTaskStatus,
    ContractStatus,
    DepositStatus,
    PeriodStatus,
    TerminationKind,
)
from pawpact.billing.holds import customer_holds
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import CallTask, Contract, DebitPeriod, DeferralCoupon, RenewalOffer, Termination
from pawpact.billing.selectors import ledger_check
from pawpact.billing.services.completion import completion_run_shop
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.deferral import deferral_use
from pawpact.billing.services.dunning import dunning_run_shop
from pawpact.billing.services.reminders import reminder_run_shop
from pawpact.billing.services.renewal import renewal_accept, renewal_run_shop
from pawpact.billing.services.termination import contract_terminate_pet_loss, termination_execute, termination_quote
from pawpact.core.months import add_months
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.loyalty.services import winback_credit_run
from pawpact.messaging.models import Message
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from tests.billing.debits.factories import token_set
from tests.billing.lifecycle.termination.helpers import BEIJING, NOW, adopt, balances, beijing

# The daily jobs, at their hours in pawpact/config/schedules.py: the services their tenant
# tasks call (billing.debit_run_shop, billing.completion_run_shop, billing.renewal_run_shop,
# loyalty.winback_credit_run_shop, billing.reminder_run_shop, billing.dunning_run_shop),
# called directly: the eager Celery round trip would double the run time of 730 days.
DAILY_JOBS: list[tuple[time, Callable]] = [
    (time(0, 15), debit_run_shop),
    (time(6, 30), completion_run_shop),
    (time(8, 0), renewal_run_shop),
    (time(8, 0), winback_credit_run),
    (time(9, 0), reminder_run_shop),
    (time(9, 30), dunning_run_shop),
]
NOON = time(12, 0)


@pytest.fixture
def in_shop(shop):
    with schema_context(shop.schema_name):
        yield shop


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class Life:
    """Lives a shop's days: the jobs at their hours, the customer's actions at noon, and a
    check at the end of every day."""

    traveller: object  # time_machine.travel(...) as traveller
    today: date = NOW.date()
    actions: dict[date, Callable[[], None]] = field(default_factory=dict)
    checks: list[Callable[[date], None]] = field(default_factory=list)

    def on(self, day: date, action: Callable[[], None]) -> None:
        self.actions[day] = action

    def live_until(self, last: date) -> None:
        """Live every day after `today` up to and including `last`."""
        while self.today < last:
            self.today += timedelta(days=1)
            for at, job in DAILY_JOBS:
                self.traveller.move_to(beijing(self.today, at))
                job()
            self.traveller.move_to(beijing(self.today, NOON))
            if self.today in self.actions:
                self.actions.pop(self.today)()
            for check in self.checks:
                check(self.today)


def messages(customer: Customer) -> list[tuple[str, str, str, str, str]]:
    """(Beijing date, topic, channel, category, status) of every message the customer got."""
    rows = Message.objects.filter(customer=customer).order_by("created_at", "topic", "channel")
    return [
        (row.created_at.astimezone(BEIJING).date().isoformat(), row.topic, row.channel, row.category, row.status)
        for row in rows
    ]


def both(day: str, topic: str, category: str = "service", status: str = "sent") -> list[tuple]:
    """The in-app and SMS rows of one message (sorted as `messages` sorts them)."""
    return [(day, topic, "in_app", category, status), (day, topic, "sms", category, status)]


def reminder_bodies(customer: Customer) -> list[str]:
    return list(
        Message.objects.filter(customer=customer, topic="debit_reminder", channel="sms")
        .order_by("created_at")
        .values_list("body", flat=True)
    )


def statuses(contract: Contract) -> list[str]:
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("status", flat=True))


def outbox(contract: Contract) -> list[str]:
    return list(OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).order_by("id").values_list("kind", flat=True))


def ledger_ok() -> None:
    assert unbalanced_journals() == []


# --- (b) Early termination ------------------------------------------------------------------


@pytest.mark.usefixtures("in_shop")
def test_b_a_basic_contract_lived_until_early_termination(traveller):
    contract = adopt()  # Basic 399 × 12, score 350: ¥500 deposit held; period 1 paid on 9 March
    customer = contract.customer
    life = Life(traveller)
    life.checks.append(lambda day: ledger_ok())

    life.live_until(date(2026, 5, 20))
    assert statuses(contract) == [PeriodStatus.PAID] * 3 + [PeriodStatus.SCHEDULED] * 9
    assert messages(customer) == both("2026-04-07", "debit_reminder") + both("2026-05-07", "debit_reminder")
    assert reminder_bodies(customer) == [
        "【Alpha Pets】您的宠粮月付第 2/12 期 ¥399.00 将于 2026-04-10 自动扣款，仅用于宠粮、猫砂、驱虫及基础体检。 / "
        "Period 2 of 12, ¥399.00, will be debited on 2026-04-10, for food, litter, deworming and basic check-ups only.",
        "【Alpha Pets】您的宠粮月付第 3/12 期 ¥399.00 将于 2026-05-10 自动扣款，仅用于宠粮、猫砂、驱虫及基础体检。 / "
        "Period 3 of 12, ¥399.00, will be debited on 2026-05-10, for food, litter, deworming and basic check-ups only.",
    ]
    assert balances(contract) == {
        "cash": 3 * 39900 + 50000, "receivable": 478800 - 3 * 39900, "deferred_revenue": -478800 + 3 * 39900,
        "plan_revenue": -3 * 39900, "deposits_held": -50000,
    }  # fmt: skip

    # 20 May, noon: the customer asks what leaving costs, and leaves half an hour later.
    quote = termination_quote(contract=contract)
    assert (quote.remaining_minor, quote.penalty_minor, quote.deposit_refund_minor) == (359100, 35910, 50000)
    traveller.move_to(beijing(date(2026, 5, 20), time(12, 30)))
    termination = termination_execute(quote=quote)
    assert (termination.kind, termination.penalty_minor, termination.deposit_refund_minor) == (
        TerminationKind.EARLY, 35910, 50000,
    )  # fmt: skip

    # Two more months: no reminder, no debit, no dunning; only the exit follow-up.
    life.live_until(date(2026, 7, 31))
    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.TERMINATED_EARLY, DepositStatus.REFUNDED)
    assert statuses(contract) == [PeriodStatus.PAID] * 3 + [PeriodStatus.CANCELLED] * 9
    assert messages(customer) == (
        both("2026-04-07", "debit_reminder") + both("2026-05-07", "debit_reminder")
        + both("2026-05-20", "exit_survey") + both("2026-05-20", "winback_offer", "marketing")
    )  # fmt: skip
    assert SurveyResponse.objects.filter(contract=contract).count() == 1
    assert WinBackOffer.objects.get(contract=contract).discount_rate == Decimal("0.500")
    assert balances(contract) == {
        "cash": 3 * 39900 + 35910, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -3 * 39900,
        "penalty_revenue": -35910, "deposits_held": 0,
    }  # fmt: skip
    assert SandboxCharge.objects.filter(token=contract.payment_method.token).count() == 6  # deposit, 3 debits, penalty, refund
    assert outbox(contract) == [
        "contract.signed", "debit.paid", "contract.activated", "debit.paid", "debit.paid", "contract.terminated",
    ]  # fmt: skip
    assert customer_holds(customer=customer).shipment_held is False
    assert Customer.objects.get(pk=customer.pk).standing == CustomerStanding.CURRENT


# --- (c) Pet loss ---------------------------------------------------------------------------


@pytest.mark.usefixtures("in_shop")
def test_c_an_advanced_contract_lived_until_the_pet_is_lost(traveller):
    contract = adopt(plan_code="advanced")  # 599 × 24, ¥800 deposit held
    customer = contract.customer
    life = Life(traveller)
    life.checks.append(lambda day: ledger_ok())

    life.live_until(date(2026, 8, 20))
    assert statuses(contract) == [PeriodStatus.PAID] * 6 + [PeriodStatus.SCHEDULED] * 18
    reminder_days = ["2026-04-07", "2026-05-07", "2026-06-07", "2026-07-07", "2026-08-07"]
    assert messages(customer) == [row for day in reminder_days for row in both(day, "debit_reminder")]

    # 20 August, noon: staff record the pet's death with the vet's note.
    termination = contract_terminate_pet_loss(contract=contract, evidence_note="Died of FIP on 18 August (vet: Dr Li).")
    assert (
        termination.cancelled_minor, termination.remaining_minor, termination.penalty_minor,
        termination.deposit_refund_minor,
    ) == (18 * 59900, 0, 0, 80000)  # fmt: skip

    life.live_until(date(2026, 10, 31))  # the 10 September and 10 October debits never come
    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.TERMINATED_PET_LOSS, DepositStatus.REFUNDED)
    assert statuses(contract) == [PeriodStatus.PAID] * 6 + [PeriodStatus.CANCELLED] * 18
    assert messages(customer) == [row for day in reminder_days for row in both(day, "debit_reminder")] + both(
        "2026-08-20", "exit_survey"
    ) + both("2026-08-20", "winback_offer", "marketing")
    assert balances(contract) == {
        "cash": 6 * 59900, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -6 * 59900, "deposits_held": 0,
    }  # fmt: skip
    assert outbox(contract) == ["contract.signed", "debit.paid", "contract.activated"] + ["debit.paid"] * 5 + [
        "contract.terminated"
    ]
    assert OutboxEvent.objects.filter(aggregate_uuid=contract.uuid, kind="contract.terminated").get().payload == {
        "contract_uuid": str(contract.uuid),
        "reason": "pet_loss",
        "paid_periods": 6,
        "periods": 24,
        "cancelled_minor": 18 * 59900,
        "remaining_minor": 0,
        "penalty_minor": 0,
        "refund_minor": 0,
        "currency": "CNY",
        "at": "2026-08-20T04:00:00+00:00",
    }
    assert Termination.objects.get(contract=contract).evidence_note == "Died of FIP on 18 August (vet: Dr Li)."


# --- (a) 24 months: reminders, a failed debit, dunning, recovery, a deferral, renewal, completion ---


ADVANCED_MONTHLY, ADVANCED_TOTAL, ADVANCED_DEPOSIT = 59900, 24 * 59900, 80000
FAILED_ON = date(2026, 7, 10)  # period 5
TOPPED_UP_ON = date(2026, 7, 14)
RECOVERED_ON = date(2026, 7, 15)  # the day-5 retry
DEFERRED_ON = date(2026, 10, 1)  # period 8 (10 October) moves to 10 November, and the rest with it
# Due dates after the deferral: periods 2–7 on the 10th from April, 8–24 a month later than signed.
DUE = {1: date(2026, 3, 9), **{n: add_months(date(2026, 4, 10), n - 2) for n in range(2, 8)}}
DUE |= {n: add_months(date(2026, 11, 10), n - 8) for n in range(8, 25)}
LAST_DUE = DUE[24]  # 10 March 2028
OFFER_ON = date(2028, 2, 10)  # one month before the last period
ACCEPTED_ON = date(2028, 2, 15)


def _expected_standing(day: date) -> str:
    if day == FAILED_ON:
        return CustomerStanding.GRACE  # failed today, retried tomorrow: not overdue yet
    if FAILED_ON < day < RECOVERED_ON:
        return CustomerStanding.OVERDUE
    return CustomerStanding.CURRENT


@pytest.mark.usefixtures("in_shop")
def test_a_an_advanced_contract_lived_through_its_24_months(traveller):
    contract = adopt(plan_code="advanced")  # 599 × 24, score 350: ¥800 deposit held
    customer = contract.customer
    life = Life(traveller)

    def every_day(day: date) -> None:
        ledger_ok()
        contract.refresh_from_db()
        paid = DebitPeriod.objects.filter(contract=contract, status=PeriodStatus.PAID).count()
        if contract.status == ContractStatus.ACTIVE:
            assert balances(contract) == {
                "cash": paid * ADVANCED_MONTHLY + ADVANCED_DEPOSIT,
                "receivable": ADVANCED_TOTAL - paid * ADVANCED_MONTHLY,
                "deferred_revenue": -ADVANCED_TOTAL + paid * ADVANCED_MONTHLY,
                "plan_revenue": -paid * ADVANCED_MONTHLY,
                "deposits_held": -ADVANCED_DEPOSIT,
            }, day
        standing = Customer.objects.get(pk=customer.pk).standing
        assert standing == _expected_standing(day), day
        holds = customer_holds(customer=customer)
        held = standing == CustomerStanding.OVERDUE
        assert (holds.shipment_held, holds.loyalty_frozen) == (held, held), day

    life.checks.append(every_day)

    # --- Months 1–4: reminders three days before, every debit paid. ---
    life.live_until(date(2026, 7, 1))
    assert statuses(contract) == [PeriodStatus.PAID] * 4 + [PeriodStatus.SCHEDULED] * 20
    reminders = [DUE[n] - timedelta(days=3) for n in range(2, 5)]
    assert messages(customer) == [row for day in reminders for row in both(day.isoformat(), "debit_reminder")]

    # --- Month 5: the customer's account runs dry; the debit fails, dunning, recovery. ---
    token_set(contract, "tok_insufficient_funds")
    life.live_until(FAILED_ON)
    period_5 = DebitPeriod.objects.get(contract=contract, number=5)
    assert (period_5.status, period_5.next_retry_on) == (PeriodStatus.RETRYING, date(2026, 7, 11))
    assert period_5.attempts.count() == 1

    life.live_until(date(2026, 7, 11))  # day 1 overdue: SMS, a deferral coupon, holds on
    period_5.refresh_from_db()
    assert (period_5.status, period_5.overdue_since, period_5.next_retry_on) == (
        PeriodStatus.RETRYING, date(2026, 7, 11), date(2026, 7, 13),
    )  # fmt: skip
    assert DeferralCoupon.objects.filter(contract=contract, used_on__isnull=True).count() == 1
    assert customer_holds(customer=customer).reason == "overdue"

    life.live_until(date(2026, 7, 13))  # day 3: a call task for staff
    call = CallTask.objects.get(customer=customer)
    assert (call.kind, call.status, call.due_on, call.period_id) == (
        CallTaskKind.CALL, CallTaskStatus.OPEN, date(2026, 7, 13), period_5.pk,
    )  # fmt: skip

    life.on(TOPPED_UP_ON, lambda: token_set(contract, "tok_success"))
    life.live_until(RECOVERED_ON)  # the day-5 retry succeeds: current again, holds released
    period_5.refresh_from_db()
    assert (period_5.status, period_5.overdue_since, period_5.attempts.count()) == (PeriodStatus.PAID, None, 4)
    call.refresh_from_db()
    assert call.status == CallTaskStatus.CANCELLED
    assert customer_holds(customer=customer).shipment_held is False
    assert [
        (event.kind, event.payload["period_number"])
        for event in OutboxEvent.objects.filter(aggregate_uuid=contract.uuid, kind__startswith="period.")
    ] == [("period.overdue", 5), ("period.recovered", 5)]

    # --- Month 8: the customer uses the coupon; the calendar shifts a month. ---
    life.on(DEFERRED_ON, lambda: deferral_use(contract=contract, period_number=8))
    life.live_until(DEFERRED_ON)
    assert {n: p.due_date for n, p in ((p.number, p) for p in DebitPeriod.objects.filter(contract=contract))} == DUE
    period_8 = DebitPeriod.objects.get(contract=contract, number=8)
    assert (period_8.status, period_8.original_due_date) == (PeriodStatus.DEFERRED, date(2026, 10, 10))

    life.live_until(DUE[8])
    period_8.refresh_from_db()
    assert period_8.status == PeriodStatus.PAID
    assert SandboxCharge.objects.filter(idempotency_key__startswith=f"debit:{contract.uuid}:8:").count() == 1

    # --- Month 23: the renewal offer, a month before the last period; accepted. ---
    life.live_until(OFFER_ON)
    offer = RenewalOffer.objects.get(contract=contract)
    assert offer.sent_at == beijing(OFFER_ON, time(8, 0))
    life.on(ACCEPTED_ON, lambda: renewal_accept(offer=offer, option_key="ten_percent_vaccine"))

    # --- Month 24: the last debit, completion, the deposit back, the renewal contract. ---
    life.live_until(LAST_DUE + timedelta(days=2))
    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.COMPLETED, DepositStatus.REFUNDED)
    assert statuses(contract) == [PeriodStatus.PAID] * 24
    assert contract.ended_at == beijing(LAST_DUE, time(6, 30))
    assert balances(contract) == {
        "cash": ADVANCED_TOTAL, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -ADVANCED_TOTAL,
        "deposits_held": 0,
    }  # fmt: skip
    assert Termination.objects.get(contract=contract).kind == TerminationKind.COMPLETION
    renewal = Contract.objects.get(renewal_of=contract)
    assert (renewal.status, renewal.monthly_amount_minor, renewal.periods, renewal.pet_id) == (
        ContractStatus.DRAFT, 53910, 24, contract.pet_id,
    )  # fmt: skip
    assert ledger_check().is_ok, ledger_check().problems

    # Every message of the two years, in order.
    reminder_days = [DUE[n] - timedelta(days=3) for n in range(2, 25)]
    expected = [row for day in reminder_days for row in both(day.isoformat(), "debit_reminder")]
    expected += [
        ("2026-07-11", "deferral_coupon_issued", "in_app", "service", "sent"),
        ("2026-07-11", "dunning_sms", "sms", "service", "sent"),
    ]
    expected += both(OFFER_ON.isoformat(), "renewal_offer", "marketing")
    assert messages(customer) == sorted(expected, key=lambda row: (row[0], row[1], row[2]))
    bodies = reminder_bodies(customer)
    assert len(bodies) == 23
    assert "Period 8 of 24, ¥599.00, will be debited on 2026-11-10" in bodies[6]
    assert "Period 24 of 24, ¥599.00, will be debited on 2028-03-10" in bodies[22]

    kinds = outbox(contract)
    assert kinds.count("debit.paid") == 24 and kinds.count("debit.failed") == 3
    assert kinds[-2:] == ["contract.terminated", "contract.renewed"]
    assert OutboxEvent.objects.filter(aggregate_uuid=contract.uuid, kind="contract.terminated").get().payload == {
        "contract_uuid": str(contract.uuid),
        "reason": "completion",
        "paid_periods": 24,
        "periods": 24,
        "cancelled_minor": 0,
        "remaining_minor": 0,
        "penalty_minor": 0,
        "refund_minor": 0,
        "currency": "CNY",
        "at": beijing(LAST_DUE, time(6, 30)).isoformat(),
    }
