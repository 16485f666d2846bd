"""The daily run: trial end, monthly invoices, charges, grace period, read-only, recovery."""
from datetime import date

import pytest

from pawpact.config.schedules import beat_schedule
from pawpact.platform.enums import InvoiceStatus, SubscriptionStatus
from pawpact.platform.funding.ledger import account_balances, unbalanced_journals
from pawpact.platform.models import PlatformJournal, SaasInvoice, SaasPlan, ShopSubscription
from pawpact.platform.saas import services
from pawpact.platform.saas.errors import NothingToPay
from pawpact.platform.saas.selectors import SaasLedgerExpectation, saas_ledger_expectation
from pawpact.platform.saas.services import (
    saas_billing_run,
    subscription_bill,
    subscription_pay_now,
    subscription_payment_method_set,
    subscription_start,
)
from pawpact.platform.tasks import saas_billing_run_task
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop
from tests.platform.saas.conftest import snapshot, travel


def _sub(shop) -> ShopSubscription:
    return ShopSubscription.objects.get(shop=shop)


def _number(shop, day: date) -> str:
    return f"SAAS-{shop.pk:06d}-{day:%Y%m%d}"


def _set_token(shop, token: str, *, rail: str = "sandbox") -> None:
    subscription_payment_method_set(shop=shop, rail=rail, token=token)


def _run(year, month, day, hour=10):
    with travel(year, month, day, hour):
        saas_billing_run_task()


def _assert_ledger(shop, *, cash: int, revenue: int, receivable: int) -> None:
    """Balanced, with the exact balances, and matching the invoices."""
    assert unbalanced_journals() == []
    balances = account_balances(shop_id=shop.pk)
    assert balances.get("cash", 0) == cash
    assert balances.get("saas_revenue", 0) == -revenue
    assert balances.get("saas_receivable", 0) == receivable
    assert saas_ledger_expectation(shop_id=shop.pk) == SaasLedgerExpectation(
        revenue_minor=revenue, receivable_minor=receivable, cash_minor=cash
    )


def test_the_seed_plans_starter_and_growth_come_with_the_database(db):
    plans = {
        p.code: (p.name, p.monthly_price_minor, p.currency, p.trial_days, p.max_contracts)
        for p in SaasPlan.objects.all()
    }
    assert plans == {
        "starter": ("Starter", 19_900, "CNY", 14, 200),
        "growth": ("Growth", 49_900, "CNY", 14, None),
    }


def test_a_new_subscription_is_a_14_day_trial(subscribed, shop):
    sub = _sub(shop)
    assert (sub.status, sub.plan.code) == (SubscriptionStatus.TRIALING, "starter")
    assert (sub.trial_ends_on, sub.current_period_start, sub.current_period_end) == (
        date(2026, 3, 15), date(2026, 3, 1), date(2026, 3, 15),
    )  # fmt: skip
    assert sub.grace_until is None and sub.payment_token == ""


def test_nothing_happens_during_the_trial(subscribed, shop):
    _set_token(shop, "tok_success")
    before = snapshot(shop.pk)
    _run(2026, 3, 14, hour=23)
    assert snapshot(shop.pk) == before
    assert _sub(shop).status == SubscriptionStatus.TRIALING


def test_trial_end_issues_the_exact_invoice_and_a_paid_charge_makes_the_shop_active(subscribed, shop):
    _set_token(shop, "tok_success")
    _run(2026, 3, 15, hour=1)

    invoice = SaasInvoice.objects.get(shop=shop)
    assert invoice.number == _number(shop, date(2026, 3, 15))
    assert (invoice.period_start, invoice.period_end) == (date(2026, 3, 15), date(2026, 4, 15))
    assert (invoice.amount_minor, invoice.currency, invoice.plan.code) == (19_900, "CNY", "starter")
    assert (invoice.status, invoice.attempts) == (InvoiceStatus.PAID, 1)
    charge = SandboxCharge.objects.get(idempotency_key=f"saas:{invoice.number}")
    assert (charge.amount_minor, charge.currency, charge.shop_schema, charge.outcome) == (
        19_900, "CNY", "public", "succeeded",
    )  # fmt: skip
    assert invoice.rail_reference == charge.reference

    sub = _sub(shop)
    assert sub.status == SubscriptionStatus.ACTIVE
    assert (sub.current_period_start, sub.current_period_end) == (date(2026, 3, 15), date(2026, 4, 15))
    journals = PlatformJournal.objects.filter(shop=shop).order_by("id")
    assert [(j.idempotency_key, j.kind) for j in journals] == [
        (f"saas.invoice:{invoice.number}", "saas.invoice"),
        (f"saas.paid:{invoice.number}", "saas.paid"),
    ]
    assert sorted(journals[1].lines.values_list("account", "amount_minor")) == [
        ("cash", 19_900), ("saas_receivable", -19_900),
    ]  # fmt: skip
    _assert_ledger(shop, cash=19_900, revenue=19_900, receivable=0)


def test_the_platform_ledger_check_reconciles_subscription_payments(subscribed, shop):
    from pawpact.platform.funding.ledger import ledger_check

    _set_token(shop, "tok_success")
    _run(2026, 3, 15, hour=1)

    check = ledger_check()
    assert (check.problems, check.cash_minor, check.saas_paid_minor) == ([], 19_900, 19_900)
    SaasInvoice.objects.filter(shop=shop).update(amount_minor=20_000)  # the records no longer match the books
    assert ledger_check().problems == [
        "cash 19900 != collections 0 − cooling-off refunds 0 − paid payouts 0 + paid subscription invoices "
        "20000 = 20000",
        "saas_revenue -19900 != subscription invoices -20000",
    ]


def test_the_run_twice_a_day_issues_one_invoice_and_charges_once(subscribed, shop):
    _set_token(shop, "tok_success")
    _run(2026, 3, 15, hour=1)
    after_first = snapshot(shop.pk)
    _run(2026, 3, 15, hour=13)
    assert snapshot(shop.pk) == after_first
    assert SaasInvoice.objects.filter(shop=shop).count() == 1
    assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == 1
    _assert_ledger(shop, cash=19_900, revenue=19_900, receivable=0)


def test_each_month_is_invoiced_once_on_the_anchor_day(subscribed, shop):
    _set_token(shop, "tok_success")
    for month in (3, 4, 5):
        _run(2026, month, 15)
        _run(2026, month, 16)
    invoices = list(SaasInvoice.objects.filter(shop=shop).order_by("period_start").values_list(
        "period_start", "period_end", "amount_minor", "status"))  # fmt: skip
    assert invoices == [
        (date(2026, 3, 15), date(2026, 4, 15), 19_900, "paid"),
        (date(2026, 4, 15), date(2026, 5, 15), 19_900, "paid"),
        (date(2026, 5, 15), date(2026, 6, 15), 19_900, "paid"),
    ]
    assert _sub(shop).current_period_end == date(2026, 6, 15)
    _assert_ledger(shop, cash=59_700, revenue=59_700, receivable=0)


def test_growth_is_charged_its_own_price(shop):
    with travel(2026, 3, 1):
        subscription_start(shop=shop, plan_code="growth")
    _set_token(shop, "tok_success")
    _run(2026, 3, 15)
    assert SaasInvoice.objects.get(shop=shop).amount_minor == 49_900
    _assert_ledger(shop, cash=49_900, revenue=49_900, receivable=0)


def test_a_failed_charge_starts_the_grace_period_retries_daily_then_read_only_on_the_exact_day(subscribed, shop):
    _set_token(shop, "tok_insufficient_funds")
    _run(2026, 3, 15)

    invoice = SaasInvoice.objects.get(shop=shop)
    sub = _sub(shop)
    assert (invoice.status, invoice.attempts) == (InvoiceStatus.FAILED, 1)
    assert (sub.status, sub.grace_until) == (SubscriptionStatus.PAST_DUE, date(2026, 3, 22))
    assert (sub.current_period_start, sub.current_period_end) == (date(2026, 3, 1), date(2026, 3, 15))
    _assert_ledger(shop, cash=0, revenue=19_900, receivable=19_900)

    _run(2026, 3, 15, hour=20)  # the same day: no second charge
    assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == 1

    for day in range(16, 23):  # one retry a day through the last day of grace
        _run(2026, 3, day)
        _run(2026, 3, day, hour=22)
        assert _sub(shop).status == SubscriptionStatus.PAST_DUE
        assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == day - 14
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts) == (InvoiceStatus.FAILED, 8)
    assert _sub(shop).grace_until == date(2026, 3, 22)

    _run(2026, 3, 23, hour=0)
    sub = _sub(shop)
    assert sub.status == SubscriptionStatus.READ_ONLY
    assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == 8  # no charge when read-only
    before = snapshot(shop.pk)
    _run(2026, 3, 24)
    _run(2026, 4, 15)
    assert snapshot(shop.pk) == before  # no new invoice while one is unpaid
    _assert_ledger(shop, cash=0, revenue=19_900, receivable=19_900)


def test_the_grace_period_is_configurable(subscribed, shop, settings):
    settings.PAWPACT_SAAS_GRACE_DAYS = 2
    _set_token(shop, "tok_hard_decline")
    _run(2026, 3, 15)
    assert _sub(shop).grace_until == date(2026, 3, 17)
    _run(2026, 3, 17)
    assert _sub(shop).status == SubscriptionStatus.PAST_DUE
    _run(2026, 3, 18)
    assert _sub(shop).status == SubscriptionStatus.READ_ONLY


def test_paying_a_read_only_shop_makes_it_active_and_the_next_month_is_billed_from_then(subscribed, shop):
    _set_token(shop, "tok_insufficient_funds")
    for day in range(15, 24):
        _run(2026, 3, day)
    assert _sub(shop).status == SubscriptionStatus.READ_ONLY
    number = _number(shop, date(2026, 3, 15))

    with travel(2026, 3, 25, hour=9):
        _set_token(shop, "tok_success")
        invoice = subscription_pay_now(shop=shop)
    assert (invoice.number, invoice.status) == (number, InvoiceStatus.PAID)
    sub = _sub(shop)
    assert (sub.status, sub.grace_until) == (SubscriptionStatus.ACTIVE, None)
    assert (sub.current_period_start, sub.current_period_end) == (date(2026, 3, 15), date(2026, 4, 15))
    _assert_ledger(shop, cash=19_900, revenue=19_900, receivable=0)

    with travel(2026, 3, 25, hour=10), pytest.raises(NothingToPay):
        subscription_pay_now(shop=shop)  # paying twice charges nothing
    charges = SandboxCharge.objects.filter(idempotency_key__startswith="saas:", outcome="succeeded")
    assert charges.count() == 1
    _run(2026, 4, 15)
    assert SaasInvoice.objects.filter(shop=shop, status=InvoiceStatus.PAID).count() == 2
    _assert_ledger(shop, cash=39_800, revenue=39_800, receivable=0)


def test_paying_during_the_grace_period_ends_it(subscribed, shop):
    _set_token(shop, "tok_insufficient_funds")
    _run(2026, 3, 15)
    with travel(2026, 3, 16, hour=8):
        _set_token(shop, "tok_success")
        subscription_pay_now(shop=shop)
    sub = _sub(shop)
    assert (sub.status, sub.grace_until, sub.current_period_end) == (SubscriptionStatus.ACTIVE, None, date(2026, 4, 15))
    before = snapshot(shop.pk)
    _run(2026, 3, 16)  # today's automatic retry finds nothing to pay
    assert snapshot(shop.pk) == before


def test_pay_now_pressed_twice_with_a_declined_method_charges_once(subscribed, shop):
    _set_token(shop, "tok_insufficient_funds")
    _run(2026, 3, 15)
    with travel(2026, 3, 16):
        subscription_pay_now(shop=shop)
        subscription_pay_now(shop=shop)
    # The first day's charge and one "pay now".
    assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == 2
    _run(2026, 3, 16)  # the daily retry with the same method is the same attempt: answered, not charged
    assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == 2


def test_a_shop_without_payment_method_goes_past_due_without_any_charge(subscribed, shop):
    _run(2026, 3, 15)
    invoice = SaasInvoice.objects.get(shop=shop)
    assert (invoice.status, invoice.attempts, invoice.rail_reference) == (InvoiceStatus.FAILED, 1, "")
    assert _sub(shop).status == SubscriptionStatus.PAST_DUE
    assert not SandboxCharge.objects.filter(idempotency_key__startswith="saas:").exists()
    _set_token(shop, "tok_success")
    _run(2026, 3, 16)  # the next day's retry uses the new method
    assert _sub(shop).status == SubscriptionStatus.ACTIVE


def test_an_unknown_outcome_is_asked_again_with_the_same_key(subscribed, shop, monkeypatch):
    _set_token(shop, "tok_success")
    real_charge = services.saas_adapter_for("sandbox").charge
    calls = []

    class Flaky:
        def charge(self, **kwargs):
            calls.append(kwargs["idempotency_key"])
            if len(calls) == 1:
                real_charge(**kwargs)  # the provider charged, but the answer was lost
                from pawpact.payments.base import ChargeResult

                return ChargeResult(succeeded=False, outcome="network_error", is_unknown=True)
            return real_charge(**kwargs)

    monkeypatch.setattr(services, "saas_adapter_for", lambda rail: Flaky())
    _run(2026, 3, 15)
    invoice = SaasInvoice.objects.get(shop=shop)
    assert invoice.status == InvoiceStatus.OPEN and invoice.rail_reference == f"pending:saas:{invoice.number}"
    assert _sub(shop).status == SubscriptionStatus.PAST_DUE
    _run(2026, 3, 16)
    invoice.refresh_from_db()
    assert calls == [f"saas:{invoice.number}", f"saas:{invoice.number}"]
    assert invoice.status == InvoiceStatus.PAID
    assert SandboxCharge.objects.filter(idempotency_key__startswith="saas:").count() == 1  # charged once
    assert _sub(shop).status == SubscriptionStatus.ACTIVE
    _assert_ledger(shop, cash=19_900, revenue=19_900, receivable=0)


def test_deactivated_shops_and_shops_without_subscription_are_not_billed(subscribed, shop, other_shop):
    _set_token(shop, "tok_success")
    Shop.objects.filter(pk=shop.pk).update(state=ShopState.DEACTIVATED)
    with travel(2026, 3, 15):
        summary = saas_billing_run()
    assert summary.subscriptions == 0
    assert not SaasInvoice.objects.exists()
    assert not ShopSubscription.objects.filter(shop=other_shop).exists()


def test_the_run_summary_and_one_shop_failing_does_not_stop_the_others(subscribed, shop, other_shop, monkeypatch):
    with travel(2026, 3, 1):
        subscription_start(shop=other_shop)
    _set_token(shop, "tok_success")
    _set_token(other_shop, "tok_success")
    real_bill = services.subscription_bill

    def bill(*, subscription_id, clock):
        if subscription_id == _sub(shop).pk:
            raise RuntimeError("boom")
        return real_bill(subscription_id=subscription_id, clock=clock)

    monkeypatch.setattr(services, "subscription_bill", bill)
    with travel(2026, 3, 15):
        summary = saas_billing_run()
    assert (summary.subscriptions, summary.paid, summary.unpaid, summary.errors) == (2, 1, 0, 1)
    assert SaasInvoice.objects.get(shop=other_shop).status == InvoiceStatus.PAID


def test_subscription_bill_directly_is_idempotent_too(subscribed, shop):
    _set_token(shop, "tok_success")
    with travel(2026, 3, 15):
        first = subscription_bill(subscription_id=subscribed.pk)
        second = subscription_bill(subscription_id=subscribed.pk)
    assert first.status == InvoiceStatus.PAID and second is None


def test_the_run_is_scheduled_daily_with_an_expiry():
    entry = beat_schedule()["platform-saas-billing"]
    assert entry["task"] == "platform.saas_billing_run"
    assert entry["options"]["expires"] == 3600
    assert saas_billing_run_task.name == "platform.saas_billing_run"
