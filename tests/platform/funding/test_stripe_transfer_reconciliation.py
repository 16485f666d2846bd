"""Stripe transfers (payouts to shops' Connect accounts) matched line by line against our
payouts in the daily reconciliation, over HTTP against the local fake Stripe."""
import uuid
from datetime import timedelta

import pytest
import stripe

from pawpact.accounts.models import User
from pawpact.payments.errors import ProviderRefused
from pawpact.platform.enums import MismatchKind, MismatchResolution, PayoutStatus
from pawpact.platform.funding.ledger import ledger_check
from pawpact.platform.funding.payout_rails import StripeConnectPayoutRail
from pawpact.platform.funding.reconciliation import reconciliation_result_apply
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.transfer_reconciliation import stripe_transfers_reconcile
from pawpact.platform.models import Payout, PlatformEvent, ReconciliationMismatch
from pawpact.platform.tasks import stripe_transfers_reconcile_task
from pawpact.sandbox.gateways.stripe import FakeStripe
from tests.browser import browser_missing, chromium, page_open, screenshot
from tests.platform.funding.conftest import drain, emit, signed

PAYOUT = 430_920  # one contract's advance, as the settlement pays it (test_stripe_payout)


@pytest.fixture
def fake(clock):
    server = FakeStripe(secret_keys={"sk_test_transfers"}).start()
    server.clock = lambda: clock.now().timestamp()  # Stripe books on the platform's (test) clock
    yield server
    server.stop()


def _client(fake) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_transfers", base_addresses={"api": fake.url}, max_network_retries=0)


@pytest.fixture
def paid(shop, other_shop, clock, fake):
    """Both shops paid one payout each by Stripe transfer, today."""
    for each in (shop, other_shop):
        emit(each, signed(uuid.uuid4()))
        drain(each, clock)
    clock.advance(timedelta(days=7))
    rail = StripeConnectPayoutRail(client=_client(fake), destination_for=lambda order: f"acct_{order.shop_slug}")
    assert settlement_run(clock=clock, rail=rail).payouts_paid == 2
    return {p.shop_id: p for p in Payout.objects.all()}


def _rows():
    return sorted((m.shop_id, m.kind, m.reference, m.amount_minor, m.our_amount_minor, m.our_record,
                   m.resolution) for m in ReconciliationMismatch.objects.all())  # fmt: skip


def test_every_transfer_matches_its_payout(paid, clock, fake):
    result = stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)
    assert (result.lines, result.matched, result.mismatches) == (2, 2, 0)
    assert ReconciliationMismatch.objects.count() == 0 and ledger_check().problems == []


def test_mismatches_are_listed_with_amounts_per_shop_and_counted_by_the_ledger_check(
    paid, shop, other_shop, clock, fake
):
    ours, theirs = paid[shop.pk], paid[other_shop.pk]
    # Stripe booked ours for less; it moved ¥50.00 for a payout our books never paid; and
    # one of our paid payouts is not on Stripe's list at all.
    txn = fake.balance_transactions[fake.transfers[ours.rail_reference]["balance_transaction"]]
    txn["amount"] = txn["net"] = -(PAYOUT - 100)
    _client(fake).v1.transfers.create({"amount": 5_000, "currency": "cny", "destination": "acct_beta",
                                       "metadata": {"payout_id": "999999", "shop_id": str(other_shop.pk)}})  # fmt: skip
    fake.balance_transactions.pop(fake.transfers[theirs.rail_reference]["balance_transaction"])
    result = stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)

    assert (result.lines, result.matched, result.mismatches) == (2, 0, 3)
    assert _rows() == sorted([
        (shop.pk, MismatchKind.AMOUNT_DIFFERS, f"payout:{ours.pk}", -(PAYOUT - 100), -PAYOUT, "payout", ""),
        (other_shop.pk, MismatchKind.MISSING_HERE, "payout:999999", -5_000, 0, "payout", ""),
        (other_shop.pk, MismatchKind.MISSING_AT_PROVIDER, f"payout:{theirs.pk}", 0, -PAYOUT, "payout", ""),
    ])  # fmt: skip
    assert "3 open reconciliation mismatch(es)" in " ".join(ledger_check().problems)
    first_seen = ReconciliationMismatch.objects.get(kind=MismatchKind.AMOUNT_DIFFERS).first_seen_at

    clock.advance(timedelta(minutes=5))  # the same day again: the same rows, still dated from first sight
    stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)
    assert ReconciliationMismatch.objects.count() == 3
    assert ReconciliationMismatch.objects.get(kind=MismatchKind.AMOUNT_DIFFERS).first_seen_at == first_seen


def test_a_corrected_statement_resolves_them_and_the_shops_own_lines_are_left_alone(paid, shop, clock, fake):
    ours = paid[shop.pk]
    txn = fake.balance_transactions[fake.transfers[ours.rail_reference]["balance_transaction"]]
    txn["amount"] = -(PAYOUT - 100)
    stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)
    # The shop's own Stripe statement of the same day, with a charge mismatch of its own.
    charge = {"kind": "missing_here", "reference": "ghost-1", "amount_minor": 12_900, "our_amount_minor": 0}
    reconciliation_result_apply(PlatformEvent(shop=shop, kind="reconciliation.done", payload={
        "provider": "stripe", "statement_date": clock.today().isoformat(), "mismatches": [charge]}))  # fmt: skip
    assert ReconciliationMismatch.objects.filter(resolved_at__isnull=True).count() == 2

    txn["amount"] = -PAYOUT  # Stripe's corrected line
    stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)
    transfer_row = ReconciliationMismatch.objects.get(our_record="payout")
    assert (transfer_row.resolution, transfer_row.resolved_at) == (MismatchResolution.MATCHED, clock.now())
    assert ReconciliationMismatch.objects.get(reference="ghost-1").resolved_at is None
    # …and the shop's statement run again does not resolve (or reopen) the transfer line.
    reconciliation_result_apply(PlatformEvent(shop=shop, kind="reconciliation.done", payload={
        "provider": "stripe", "statement_date": clock.today().isoformat(), "mismatches": []}))  # fmt: skip
    assert ReconciliationMismatch.objects.get(reference="ghost-1").resolution == MismatchResolution.MATCHED
    assert ReconciliationMismatch.objects.get(our_record="payout").resolution == MismatchResolution.MATCHED


def test_partner_transfers_and_other_days_are_not_a_shops_payout(paid, clock, fake):
    _client(fake).v1.transfers.create({"amount": 7_700, "currency": "cny", "destination": "acct_partner",
                                       "metadata": {"partner_payment_id": "3", "partner_id": "4"}})  # fmt: skip
    result = stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)
    assert (result.lines, result.matched, result.mismatches) == (2, 2, 0)
    yesterday = stripe_transfers_reconcile(day=clock.today() - timedelta(days=1), client=_client(fake), clock=clock)
    assert (yesterday.lines, yesterday.mismatches) == (0, 0)
    assert ReconciliationMismatch.objects.count() == 0


def test_stripe_refusing_writes_nothing_and_the_task_skips_without_stripe(paid, clock, fake, settings):
    refusing = stripe.StripeClient("sk_test_wrong", base_addresses={"api": fake.url}, max_network_retries=0)
    with pytest.raises(ProviderRefused):
        stripe_transfers_reconcile(day=clock.today(), client=refusing, clock=clock)
    assert ReconciliationMismatch.objects.count() == 0
    settings.STRIPE_SECRET_KEY = ""
    assert stripe_transfers_reconcile_task.apply().get() is None
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = "sk_test_transfers", fake.url
    Payout.objects.filter(status=PayoutStatus.PAID).update(amount_minor=1)  # our books now say otherwise
    assert stripe_transfers_reconcile_task.apply(kwargs={"day": clock.today().isoformat()}).get() == {
        "lines": 2, "matched": 0, "mismatches": 2}  # fmt: skip
    assert ReconciliationMismatch.objects.filter(kind=MismatchKind.AMOUNT_DIFFERS, our_amount_minor=-1).count() == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_console_lists_transfer_mismatches_with_amount_and_age(paid, other_shop, clock, fake, public_client,
                                                                   language, tmp_path):  # fmt: skip
    _client(fake).v1.transfers.create({"amount": 5_000, "currency": "cny", "destination": "acct_beta",
                                       "metadata": {"payout_id": "999999", "shop_id": str(other_shop.pk)}})  # fmt: skip
    stripe_transfers_reconcile(day=clock.today(), client=_client(fake), clock=clock)
    admin = User.objects.create_user("ops@pawpact.test", "correct-horse-battery", name="Ops", is_staff=True)
    public_client.force_login(admin)
    response = public_client.get("/console/reconciliation/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert "payout:999999" in page and "¥50.00" in page and other_shop.name in page
    assert ("Payout" if language == "en" else "打款") in page
    if browser_missing() is None:
        with chromium() as browser:
            tab = browser.new_page(viewport={"width": 1366, "height": 900})
            page_open(tab, "http://localhost/console/reconciliation/", response)
            screenshot(tab, tmp_path, f"console-transfer-mismatch-{language}-1366.png")
