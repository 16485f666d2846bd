"""Reconciliation: the providers' daily statements matched line by line against a shop's books."""

from datetime import UTC, datetime, time

import pytest
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import RailRefund
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.exit_money import rail_refund
from pawpact.billing.services.pre_debit_notices import pre_debit_notice_run
from pawpact.billing.services.reconciliation import reconciliation_run_shop
from pawpact.core.clock import FixedClock, default_clock
from pawpact.core.money import Money
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.funding.ledger import ledger_check
from pawpact.platform.models import ReconciliationMismatch
from pawpact.sandbox.gateways.alipay import BEIJING
from tests.billing.debits.factories import contract_create
from tests.payments.gateways import alipay_credentials, wechat_credentials
from tests.payments.test_alipay import _deliver as alipay_deliver
from tests.payments.test_wechat import _deliver as wechat_deliver


@pytest.fixture
def admin_client_public(public_client):
    admin = User.objects.create_user("ops@pawpact.test", "correct-horse-battery", name="Ops", is_staff=True)
    public_client.force_login(admin)
    return public_client


def _today():
    return datetime.now(BEIJING).date()


def _alipay_contract(shop, gateway):
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        url = agreement_sign_begin(contract=contract, rail="alipay").url
    alipay_deliver(shop, gateway.customer_signs(url))
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        contract.__class__.objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
        contract.refresh_from_db()
        return contract


def _drain(shop):
    with schema_context(shop.schema_name):
        outbox_drain_and_apply(shop=shop, clock=default_clock)


def test_alipay_statement_mismatches_are_listed_until_the_books_agree(shop, fake_alipay, admin_client_public):
    alipay_credentials(shop, fake_alipay)
    contract = _alipay_contract(shop, fake_alipay)
    with schema_context(shop.schema_name):
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=default_clock)
        rail_refund(payment_method=contract.payment_method, amount=Money(10_000), key="refund:test:1",
                    charge_reference=attempt.rail_reference,
                    metadata={"purpose": "period_refund", "contract_id": str(contract.pk)})  # fmt: skip
        assert RailRefund.objects.get().amount_minor == 10_000
        assert reconciliation_run_shop(day=_today()) == {"alipay/test": 0}
    # The provider took money for an order our books never saw, and lost one they show as paid.
    app_id = next(iter(fake_alipay.apps))
    ghost = {**fake_alipay.trades[(app_id, out_trade_no(attempt.idempotency_key))], "out_trade_no": "f" * 32,
             "trade_no": "2026000000000000000000000099"}  # fmt: skip
    fake_alipay.trades[(app_id, "f" * 32)] = ghost
    lost = fake_alipay.trades.pop((app_id, out_trade_no(attempt.idempotency_key)))
    with schema_context(shop.schema_name):
        assert reconciliation_run_shop(day=_today()) == {"alipay/test": 2}
    _drain(shop)
    open_rows = ReconciliationMismatch.objects.filter(shop=shop, resolved_at__isnull=True).order_by("kind")
    assert [(m.kind, m.amount_minor, m.our_amount_minor) for m in open_rows] == [
        ("missing_at_provider", 0, 39_900),
        ("missing_here", 39_900, 0),
    ]
    assert any("2 open reconciliation mismatch" in problem for problem in ledger_check().problems)
    page = admin_client_public.get("/console/reconciliation/").content.decode()
    assert "f" * 32 in page and "¥399.00" in page and "Moved at the provider, not in the books" in page
    # Put right at the provider: the next reconciliation of the day resolves both.
    fake_alipay.trades.pop((app_id, "f" * 32))
    fake_alipay.trades[(app_id, lost["out_trade_no"])] = lost
    with schema_context(shop.schema_name):
        assert reconciliation_run_shop(day=_today()) == {"alipay/test": 0}
    _drain(shop)
    assert ReconciliationMismatch.objects.filter(shop=shop, resolved_at__isnull=True).count() == 0
    assert not any("reconciliation" in problem for problem in ledger_check().problems)


def test_wechat_trade_bill_is_checked_by_its_hash_and_matched(shop, fake_wechat):
    with schema_context(shop.schema_name):
        wechat_credentials(shop, fake_wechat)
        contract = contract_create(status=ContractStatus.SIGNED)
        url = agreement_sign_begin(contract=contract, rail="wechat").url
    wechat_deliver(shop, fake_wechat.customer_signs(url.rsplit("/", 1)[1]))
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        contract.__class__.objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
        # The notice went out the day before period 1 was due (31 January, 12:00 Beijing).
        assert pre_debit_notice_run(clock=FixedClock(datetime(2026, 1, 30, 4, 0, tzinfo=UTC))).sent == 1
        # Today at noon in Beijing: the rail takes debits in the daytime only, whenever the suite runs.
        noon = FixedClock(datetime.combine(_today(), time(12, 0), tzinfo=BEIJING))
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=noon)
        assert attempt.status == "succeeded"
        assert reconciliation_run_shop(day=_today()) == {"wechat/test": 0}
        order = next(iter(fake_wechat.orders.values()))
        order["amount"] = {"total": 39_800, "currency": "CNY"}  # the provider took 1 fen less
        assert reconciliation_run_shop(day=_today()) == {"wechat/test": 1}
