"""The daily automatic reconciliation includes Stripe: the platform account's balance
transactions of yesterday are listed once (over HTTP, from the local fake Stripe) and each
shop matches only the lines whose charge or refund carries its schema."""

from datetime import datetime, time, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import PaymentMethod
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.exit_money import rail_refund
from pawpact.billing.tasks import reconciliation_dispatch_task
from pawpact.core.clock import default_clock
from pawpact.core.money import Money
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.models import ReconciliationMismatch
from pawpact.sandbox.gateways.alipay import BEIJING
from tests.billing.debits.factories import contract_create

GHOST_KEY = "debit:not-ours:7"


def _yesterday_noon() -> int:
    today = datetime.now(BEIJING).date()
    return int(datetime.combine(today - timedelta(days=1), time(12), tzinfo=BEIJING).timestamp())


@pytest.fixture
def paid_yesterday_on_stripe(shop, other_shop, fake_stripe):
    """Alpha: a ¥399.00 debit on a Stripe card, ¥100.00 of it refunded, both booked by Stripe
    yesterday; beta: a ¥129.00 charge Stripe booked for it that its books do not know."""
    fake_stripe.clock = _yesterday_noon
    with schema_context(shop.schema_name):
        contract = contract_create(rail="stripe")
        PaymentMethod.objects.filter(pk=contract.payment_method_id).update(token="pm_card_visa", rail_customer_ref="cus_a")
        contract.refresh_from_db()
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=default_clock)
        assert (attempt.status, attempt.amount_minor) == ("succeeded", 39_900)
        rail_refund(payment_method=contract.payment_method, amount=Money(10_000), key="refund:stripe:daily",
                    charge_reference=attempt.rail_reference, metadata={"purpose": "period_refund", "contract_id": str(contract.pk)})  # fmt: skip
    fake_stripe.balance_transaction_add(amount=12_900, metadata={"shop_schema": other_shop.schema_name,
                                                                 "idempotency_key": GHOST_KEY})  # fmt: skip
    fake_stripe.balance_transaction_add(amount=9_900, metadata={"shop_schema": "public", "idempotency_key": "saas:1"})
    return attempt


def _run_and_drain(shops):
    reconciliation_dispatch_task.apply()
    for shop in shops:
        with schema_context(shop.schema_name):
            outbox_drain_and_apply(shop=shop)


def _stripe_results(shop) -> list[tuple[int, int, int]]:
    with schema_context(shop.schema_name):
        events = OutboxEvent.objects.filter(kind="reconciliation.done", payload__provider="stripe")
        return [(e.payload["lines"], e.payload["matched"], len(e.payload["mismatches"])) for e in events]


def _open():
    return sorted(ReconciliationMismatch.objects.filter(provider="stripe", resolved_at__isnull=True)
                  .values_list("shop__slug", "kind", "reference", "amount_minor", "our_amount_minor"))  # fmt: skip


def test_the_daily_run_lists_stripe_once_and_each_shop_matches_its_own_lines(
    shop, other_shop, paid_yesterday_on_stripe, fake_stripe
):
    _run_and_drain([shop, other_shop])

    listings = [path for method, path in fake_stripe.requests if path == "/v1/balance_transactions"]
    assert len(listings) == 1  # once for the platform, not once per shop
    assert _stripe_results(shop) == [(2, 2, 0)]  # the charge and the refund, both matched
    assert _stripe_results(other_shop) == [(1, 0, 1)]
    assert _open() == [("beta", "missing_here", out_trade_no(GHOST_KEY), 12_900, 0)]
    assert fake_stripe.payment_intents_created == 1 and len(fake_stripe.refunds) == 1  # matching moves no money


def test_running_the_day_again_changes_nothing(shop, other_shop, paid_yesterday_on_stripe, fake_stripe):
    _run_and_drain([shop, other_shop])
    before = list(ReconciliationMismatch.objects.values_list("pk", "kind", "reference", "amount_minor",
                                                             "first_seen_at", "resolved_at"))  # fmt: skip

    _run_and_drain([shop, other_shop])

    assert list(ReconciliationMismatch.objects.values_list("pk", "kind", "reference", "amount_minor",
                                                           "first_seen_at", "resolved_at")) == before  # fmt: skip
    assert len(before) == 1
    assert fake_stripe.payment_intents_created == 1 and len(fake_stripe.refunds) == 1


def test_when_stripe_cannot_be_asked_no_shop_gets_a_stripe_result(shop, other_shop, paid_yesterday_on_stripe,
                                                                  fake_stripe, settings):  # fmt: skip
    fake_stripe.secret_keys = {"sk_test_rails"}
    settings.STRIPE_SECRET_KEY = "sk_test_revoked_0000"

    _run_and_drain([shop, other_shop])

    assert _stripe_results(shop) == [] and _stripe_results(other_shop) == []
    assert ReconciliationMismatch.objects.count() == 0


def test_without_stripe_on_the_platform_the_daily_run_skips_it(shop, other_shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    _run_and_drain([shop, other_shop])
    assert _stripe_results(shop) == [] and ReconciliationMismatch.objects.count() == 0
