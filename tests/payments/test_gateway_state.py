"""The local fake gateways keep their state in a file: restarted, they still know the
agreements, trades, refunds and registered apps of earlier, so earlier statements and
queries answer as a real provider's would (pawpact.sandbox.gateways.state)."""

import json
import os
from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
import stripe
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.exit_money import rail_refund
from pawpact.billing.services.pre_debit_notices import pre_debit_notice_run
from pawpact.billing.services.reconciliation import reconciliation_run_shop
from pawpact.core.clock import FixedClock, default_clock
from pawpact.core.money import Money
from pawpact.payments.gateways import adapters_forget
from pawpact.payments.registry import rail_for
from pawpact.sandbox.gateways.alipay import BEIJING, FakeAlipay
from pawpact.sandbox.gateways.state import state_decode, state_encode
from pawpact.sandbox.gateways.stripe import FakeStripe
from pawpact.sandbox.gateways.wechat import FakeWechat
from tests.billing.debits.factories import contract_create
from tests.payments.gateways import alipay_credentials, wechat_credentials
from tests.payments.test_alipay import _deliver as alipay_deliver
from tests.payments.test_wechat import _deliver as wechat_deliver


def _today():
    return datetime.now(BEIJING).date()


def _point(settings, rail: str, url: str) -> None:
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, rail: {"live": url, "test": url}}
    adapters_forget()


def _restarted(gateway, kind, path):
    """The gateway stopped and a new one (new process, new port) started from the file."""
    gateway.stop()
    again = kind()
    if kind is FakeAlipay:
        again.key = gateway.key  # the run command gives it the same key from .pawpact/gateways/
    again.persist_to(path)
    return again.start()


def test_the_codec_keeps_tuple_keys_sets_and_decimals():
    state = {"trades": {("2021", "abc"): {"refunded": Decimal("1.50"), "answer": {"code": "10000"}}},
             "receivers": {("2021", "2088")}, "plain": [1, "x", None]}  # fmt: skip
    assert state_decode(state_encode(state)) == state


def test_alipay_remembers_agreements_trades_and_apps_after_a_restart(shop, settings, tmp_path):
    path = tmp_path / "alipay-state.json"
    gateway = FakeAlipay()
    gateway.persist_to(path)
    gateway.start()
    _point(settings, "alipay", gateway.gateway_url)
    alipay_credentials(shop, gateway)
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        url = agreement_sign_begin(contract=contract, rail="alipay").url
    alipay_deliver(shop, gateway.customer_signs(url))
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        type(contract).objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
        periods = list(contract.periods_set.order_by("number"))
        first = period_collect(period=periods[0], clock=default_clock)
        rail_refund(payment_method=contract.payment_method, amount=Money(10_000), key="refund:state:1",
                    charge_reference=first.rail_reference,
                    metadata={"purpose": "period_refund", "contract_id": str(contract.pk)})  # fmt: skip
    with gateway._state_lock:  # the gateway saves after it answers: let a save in flight finish
        assert oct(path.stat().st_mode & 0o777) == "0o600" and not list(tmp_path.glob(".*.tmp"))

    gateway = _restarted(gateway, FakeAlipay, path)
    _point(settings, "alipay", gateway.gateway_url)
    try:
        with schema_context(shop.schema_name):
            known = rail_for("alipay", livemode=False).query(idempotency_key=first.idempotency_key,
                                                              amount=Money(first.amount_minor))  # fmt: skip
            assert (known.succeeded, known.reference) == (True, first.rail_reference)
            assert reconciliation_run_shop(day=_today()) == {"alipay/test": 0}  # both lines still listed, matched
            rows = gateway.statement_rows(next(iter(gateway.apps)), _today().isoformat())
            assert sorted(row["amount"] for row in rows) == ["-100.00", "399.00"]
            second = period_collect(period=periods[1], clock=default_clock)  # the agreement is still known
            assert second.status == "succeeded" and second.rail_reference != first.rail_reference
    finally:
        gateway.stop()


def test_wechat_keeps_its_merchants_contracts_orders_and_certificate(shop, settings, tmp_path):
    path = tmp_path / "wechat-state.json"
    gateway = FakeWechat()
    gateway.persist_to(path)
    gateway.start()
    _point(settings, "wechat", gateway.url)
    with schema_context(shop.schema_name):
        wechat_credentials(shop, gateway)
        contract = contract_create(status=ContractStatus.SIGNED)
        url = agreement_sign_begin(contract=contract, rail="wechat").url
    wechat_deliver(shop, gateway.customer_signs(url.rsplit("/", 1)[1]))
    noon = FixedClock(datetime.combine(_today(), time(12, 0), tzinfo=BEIJING))
    with schema_context(shop.schema_name):
        type(contract).objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
        assert pre_debit_notice_run(clock=FixedClock(datetime(2026, 1, 30, 4, 0, tzinfo=UTC))).sent == 1
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=noon)
        assert attempt.status == "succeeded"
    serial = gateway.serial

    gateway = _restarted(gateway, FakeWechat, path)
    _point(settings, "wechat", gateway.url)
    try:
        assert gateway.serial == serial  # the same platform certificate: cached copies stay valid
        with schema_context(shop.schema_name):
            known = rail_for("wechat", livemode=False).query(idempotency_key=attempt.idempotency_key,
                                                              amount=Money(attempt.amount_minor))  # fmt: skip
            assert known.succeeded
            assert reconciliation_run_shop(day=_today()) == {"wechat/test": 0}
        assert [order["trade_state"] for order in gateway.orders.values()] == ["SUCCESS"]
    finally:
        gateway.stop()


def test_stripe_keeps_its_objects_and_idempotency_keys(tmp_path):
    path = tmp_path / "stripe-state.json"
    gateway = FakeStripe(secret_keys={"sk_test_state"})
    gateway.persist_to(path)
    gateway.start()
    client = stripe.StripeClient("sk_test_state", base_addresses={"api": gateway.url}, max_network_retries=0)
    params = {"amount": 5_000, "currency": "cny", "destination": "acct_x", "metadata": {"payout_id": "7"}}
    first = client.v1.transfers.create(params, {"idempotency_key": "payout:7"})

    gateway = _restarted(gateway, FakeStripe, path)
    try:
        client = stripe.StripeClient("sk_test_state", base_addresses={"api": gateway.url}, max_network_retries=0)
        again = client.v1.transfers.create(params, {"idempotency_key": "payout:7"})  # a retry after the restart
        assert again["id"] == first["id"] and len(gateway.transfers) == 1  # never a second transfer
        later = client.v1.transfers.create({**params, "amount": 6_000, "metadata": {"payout_id": "8"}},
                                           {"idempotency_key": "payout:8"})  # fmt: skip
        listed = client.v1.balance_transactions.list({"type": "transfer"}).to_dict()["data"]
        assert [(txn["amount"], txn["source"]) for txn in listed] == [(-6_000, later["id"]), (-5_000, first["id"])]
        assert json.loads(path.read_text())["fields"]["transfers"][first["id"]]["amount"] == 5_000
    finally:
        gateway.stop()


def test_a_fake_without_a_file_keeps_nothing_on_disk(tmp_path):
    gateway = FakeAlipay().start()
    try:
        gateway.app_register(gateway.public_key_pem)
    finally:
        gateway.stop()
    assert gateway.state_path is None and os.listdir(tmp_path) == []


@pytest.mark.parametrize("kind", [FakeAlipay, FakeWechat])
def test_a_state_file_replaced_whole_survives_a_kill_mid_write(kind, tmp_path):
    path = tmp_path / "state.json"
    gateway = kind()
    gateway.persist_to(path)
    gateway.state_save()
    before = path.read_text()
    (tmp_path / f".state.json.{os.getpid()}.tmp").write_text('{"half": ')  # a writer killed mid-write
    again = kind()
    again.persist_to(path)  # reads the last whole file, never the draft
    assert path.read_text() == before
