"""Stripe's balance transactions fetched by the console's statement import, over HTTP from the
local fake Stripe (pawpact/sandbox/gateways/stripe.py), and matched like the other rails."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.models import PaymentMethod
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.exit_money import rail_refund
from pawpact.core.clock import default_clock
from pawpact.core.money import Money
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.gateways import out_trade_no
from pawpact.payments.stripe import stripe_client
from pawpact.platform.models import ReconciliationMismatch, StatementImport
from pawpact.sandbox.gateways.alipay import BEIJING
from tests.billing.debits.factories import contract_create
from tests.conftest import SHOP_PASSWORD

GHOST_KEY = "order:not-ours:1"


def _today():
    return datetime.now(BEIJING).date()


@pytest.fixture
def console(db):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    browser = Client(HTTP_HOST=django_settings.PAWPACT_BASE_DOMAIN)
    browser.force_login(admin)
    return browser


@pytest.fixture
def paid_on_stripe(shop, fake_stripe):
    """A ¥399.00 debit paid today on a Stripe card, and ¥100.00 of it refunded."""
    with schema_context(shop.schema_name):
        contract = contract_create(rail="stripe")
        PaymentMethod.objects.filter(pk=contract.payment_method_id).update(
            token="pm_card_visa", rail_customer_ref="cus_a"
        )
        contract.refresh_from_db()
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=default_clock)
        assert (attempt.status, attempt.amount_minor) == ("succeeded", 39_900)
        rail_refund(payment_method=contract.payment_method, amount=Money(10_000), key="refund:stripe:1",
                    charge_reference=attempt.rail_reference,
                    metadata={"purpose": "period_refund", "contract_id": str(contract.pk)})  # fmt: skip
    return attempt


def _fetch(console, shop, capture, *, day=None) -> StatementImport:
    with capture(execute=True):
        response = console.post("/console/reconciliation/imports/", {
            "shop": shop.pk, "provider": "stripe", "statement_date": (day or _today()).isoformat()})  # fmt: skip
    row = StatementImport.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"/console/reconciliation/imports/{row.pk}/"
    return row


def _open():
    return sorted(ReconciliationMismatch.objects.filter(provider="stripe", resolved_at__isnull=True)
                  .values_list("kind", "reference", "amount_minor", "our_amount_minor"))  # fmt: skip


def _yesterday_ts() -> int:
    return int(datetime.combine(_today() - timedelta(days=1), time(12), tzinfo=BEIJING).timestamp())


def test_a_fetched_day_matches_only_the_shops_own_lines_across_pages(
    console, shop, paid_on_stripe, fake_stripe, django_capture_on_commit_callbacks
):
    # Newer than ours, so our two lines sit on the second page of 100: other shops' charges,
    # Pawpact's own subscription charges, an advance transferred to a shop, a payout.
    for n in range(110):
        fake_stripe.balance_transaction_add(amount=100 + n, metadata={"shop_schema": "shop_beta",
                                                                      "idempotency_key": f"debit:beta:{n}"})  # fmt: skip
    fake_stripe.balance_transaction_add(amount=9_900, metadata={"shop_schema": "public", "idempotency_key": "saas:1"})
    with fake_stripe._lock:
        fake_stripe.transfer_create({"amount": "350000", "currency": "cny", "destination": "acct_alpha"})
        fake_stripe.payout_create({"amount": "100000", "currency": "cny"})
    fake_stripe.clock = _yesterday_ts  # a charge of the day before is not on today's statement
    fake_stripe.balance_transaction_add(amount=500, metadata={"shop_schema": "shop_alpha", "idempotency_key": "x:1"})

    fetched = _fetch(console, shop, django_capture_on_commit_callbacks)

    assert (fetched.status, fetched.error, fetched.filename) == ("done", "", "")
    assert (fetched.lines, fetched.matched, fetched.mismatches) == (2, 2, 0)
    assert _open() == [] and ReconciliationMismatch.objects.count() == 0
    pages = [path for method, path in fake_stripe.requests if path == "/v1/balance_transactions"]
    assert len(pages) == 2  # 114 of the day at 100 a page: has_more, then starting_after


def test_a_charge_we_do_not_know_and_an_amount_that_differs_are_listed_with_amount_and_age(
    console, shop, paid_on_stripe, fake_stripe, django_capture_on_commit_callbacks
):
    ours = out_trade_no(paid_on_stripe.idempotency_key)
    [charge_txn] = [t for t in fake_stripe.balance_transactions.values() if t["type"] == "charge"]
    charge_txn["amount"] = 39_800  # Stripe moved ¥398.00 where our books say ¥399.00
    ghost = fake_stripe.balance_transaction_add(
        amount=12_900, metadata={"shop_schema": "shop_alpha", "idempotency_key": GHOST_KEY}
    )

    fetched = _fetch(console, shop, django_capture_on_commit_callbacks)

    assert (fetched.status, fetched.lines, fetched.matched, fetched.mismatches) == ("done", 3, 1, 2)
    assert _open() == sorted([
        ("amount_differs", ours, 39_800, 39_900),
        ("missing_here", out_trade_no(GHOST_KEY), 12_900, 0),
    ])  # fmt: skip
    differs = ReconciliationMismatch.objects.get(kind="amount_differs")
    assert (differs.provider_reference, differs.our_record, differs.our_key) == (
        charge_txn["id"], "debit", paid_on_stripe.idempotency_key)  # fmt: skip
    unknown = ReconciliationMismatch.objects.get(kind="missing_here")
    assert (unknown.provider_reference, unknown.our_record, unknown.our_key) == (ghost["id"], "", "")
    page = console.get("/console/reconciliation/?provider=stripe").content.decode()
    assert "¥129.00" in page and "¥398.00" in page and "¥399.00" in page
    assert "0 days" in page and out_trade_no(GHOST_KEY) in page


def test_a_wrong_key_fails_the_import_with_stripes_reason_and_writes_no_lines(
    console, shop, paid_on_stripe, fake_stripe, django_capture_on_commit_callbacks, settings
):
    fake_stripe.secret_keys = {"sk_test_rails"}
    settings.STRIPE_SECRET_KEY = "sk_test_revoked_0000"
    with schema_context(shop.schema_name):
        events_before = OutboxEvent.objects.count()

    fetched = _fetch(console, shop, django_capture_on_commit_callbacks)

    assert fetched.status == "failed"
    assert fetched.error == "Stripe refused: Invalid API Key provided: sk_test_********0000"
    assert (fetched.lines, fetched.matched, fetched.mismatches, fetched.lines_json) == (0, 0, 0, [])
    assert ReconciliationMismatch.objects.count() == 0
    with schema_context(shop.schema_name):
        assert OutboxEvent.objects.count() == events_before
        assert not OutboxEvent.objects.filter(kind="reconciliation.done").exists()
    assert "Invalid API Key provided" in console.get(f"/console/reconciliation/imports/{fetched.pk}/").content.decode()


def test_fetching_the_same_day_again_changes_nothing(
    console, shop, paid_on_stripe, fake_stripe, django_capture_on_commit_callbacks
):
    fake_stripe.balance_transaction_add(
        amount=12_900, metadata={"shop_schema": "shop_alpha", "idempotency_key": GHOST_KEY}
    )
    first = _fetch(console, shop, django_capture_on_commit_callbacks)
    before = list(ReconciliationMismatch.objects.values_list("pk", "kind", "reference", "amount_minor",
                                                             "first_seen_at", "resolved_at"))  # fmt: skip
    assert len(before) == 1

    again = _fetch(console, shop, django_capture_on_commit_callbacks)

    assert again.pk != first.pk
    assert [(r.status, r.lines, r.matched, r.mismatches) for r in (first, again)] == [("done", 3, 2, 1)] * 2
    assert list(ReconciliationMismatch.objects.values_list("pk", "kind", "reference", "amount_minor",
                                                           "first_seen_at", "resolved_at")) == before  # fmt: skip
    assert fake_stripe.payment_intents_created == 1 and len(fake_stripe.refunds) == 1  # a fetch moves no money


def test_the_fake_lists_like_stripe_and_a_live_key_never_reaches_it(shop, paid_on_stripe, fake_stripe, settings):
    client = stripe_client()
    first = client.v1.balance_transactions.list({"limit": 1}).to_dict()
    assert first["object"] == "list" and first["has_more"] is True
    [refund] = first["data"]  # newest first
    assert (refund["type"], refund["amount"], refund["reporting_category"]) == ("refund", -10_000, "refund")
    rest = client.v1.balance_transactions.list({"limit": 1, "starting_after": refund["id"],
                                                "expand": ["data.source"]}).to_dict()  # fmt: skip
    [charge] = rest["data"]
    assert (charge["type"], charge["amount"], charge["net"], rest["has_more"]) == (
        "charge",
        39_900,
        39_900 - 1_357,
        False,
    )
    assert charge["source"]["metadata"]["idempotency_key"] == paid_on_stripe.idempotency_key
    tomorrow = int(datetime.combine(_today() + timedelta(days=1), time(0), tzinfo=BEIJING).timestamp())
    assert client.v1.balance_transactions.list({"created": {"gte": tomorrow}}).to_dict()["data"] == []

    settings.STRIPE_SECRET_KEY = "sk_live_platform"
    assert stripe_client()._requestor.base_addresses["api"] == "https://api.stripe.com"
    settings.STRIPE_SECRET_KEY = "sk_test_rails"
    assert stripe_client()._requestor.base_addresses["api"] == fake_stripe.url
