"""The WeChat Pay entrusted-debit rail (papay, APIv3) against the local fake gateway."""

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, ContractStatus
from pawpact.billing.errors import DebitNotDue
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import DebitPeriod, Journal, PaymentMethod, ProviderNotification
from pawpact.billing.services.agreements import agreement_end, agreement_sign_begin
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.pre_debit_notices import pre_debit_notice_run
from pawpact.core.clock import FixedClock
from pawpact.core.money import Money
from pawpact.payments.enums import DeclineType
from pawpact.payments.errors import RefundFailed
from pawpact.payments.wechat import WechatRail
from pawpact.platform.golive import credential_verify
from pawpact.sandbox.gateways.base import rsa2_sign, rsa_key_new
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create
from tests.conftest import host_of
from tests.payments.gateways import wechat_credentials

NOW = SIGNING_DAY_NOON  # 12:00 Beijing, inside WeChat's 07:00–22:00


def _deliver(shop, notification):
    _url, headers, body = notification
    schema = connection.schema_name
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    response = Client(HTTP_HOST=host_of(shop)).post("/webhooks/wechat/", body, content_type="application/json", **extra)
    connection.set_schema(schema)
    return response


@pytest.fixture
def alpha_wechat(shop, fake_wechat):
    with schema_context(shop.schema_name):
        wechat_credentials(shop, fake_wechat)
    return fake_wechat


def _signed_contract(shop, gateway, *, behaviour="success"):
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        start = agreement_sign_begin(contract=contract, rail="wechat", clock=FixedClock(NOW))
    presign_id = start.url.rsplit("/", 1)[1]
    gateway.presigns[presign_id]["behaviour"] = behaviour
    assert _deliver(shop, gateway.customer_signs(presign_id)).status_code == 204
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        contract.status = ContractStatus.ACTIVE
        contract.save(update_fields=["status"])
        return contract


def _period(contract):
    return DebitPeriod.objects.filter(contract=contract).order_by("number").first()


def test_signing_saves_the_contract_once(shop, alpha_wechat):
    contract = _signed_contract(shop, alpha_wechat)
    with schema_context(shop.schema_name):
        method = contract.payment_method
        assert (method.rail, method.livemode) == ("wechat", False)
        assert alpha_wechat.contracts[method.token]["out_contract_code"] == contract.uuid.hex
    assert _deliver(shop, alpha_wechat.notifications[0]).status_code == 204  # redelivered
    with schema_context(shop.schema_name):
        assert PaymentMethod.objects.filter(rail="wechat").count() == 1
        assert ProviderNotification.objects.filter(provider="wechat").count() == 1


def test_no_debit_without_the_pre_debit_notice_then_one_debit_after_it(shop, alpha_wechat):
    contract = _signed_contract(shop, alpha_wechat)
    with schema_context(shop.schema_name):
        period = _period(contract)
        with pytest.raises(DebitNotDue, match="pre-debit notice"):
            period_collect(period=period, clock=FixedClock(NOW))
        assert debit_run_shop(clock=FixedClock(NOW)).attempted == 0
        assert pre_debit_notice_run(clock=FixedClock(NOW - timedelta(days=1))).sent == 1
        assert pre_debit_notice_run(clock=FixedClock(NOW - timedelta(days=1))).sent == 0  # once
        assert alpha_wechat.notices[contract.payment_method.token] == 39_900
        report = debit_run_shop(clock=FixedClock(NOW))
        assert (report.attempted, report.succeeded) == (1, 1)
        attempt = period.attempts.get()
        assert attempt.status == AttemptStatus.SUCCEEDED and attempt.rail_reference.startswith("42000")
        assert Journal.objects.filter(kind="period.paid").count() == 1 and unbalanced_journals() == []


def test_a_debit_without_a_notice_is_refused_by_wechat_too(shop, alpha_wechat):
    contract = _signed_contract(shop, alpha_wechat)
    with schema_context(shop.schema_name):
        result = WechatRail.for_current_shop(livemode=False).charge(
            token=contract.payment_method.token, customer_ref="", amount=Money(39_900), idempotency_key="k1",
            metadata={},
        )  # fmt: skip
    assert (result.succeeded, result.outcome, result.decline_type) == (False, "rule_limit", DeclineType.SOFT)


def test_transaction_notifications_twice_and_out_of_order_move_money_once(shop, alpha_wechat):
    contract = _signed_contract(shop, alpha_wechat, behaviour="processing")
    with schema_context(shop.schema_name):
        pre_debit_notice_run(clock=FixedClock(NOW - timedelta(days=1)))
        attempt = period_collect(period=_period(contract), clock=FixedClock(NOW))
        assert attempt.status == AttemptStatus.STARTED  # accepted; WeChat debits asynchronously
    alpha_wechat.settle_pending()
    success = alpha_wechat.notifications[-1]
    order = alpha_wechat.orders[next(iter(alpha_wechat.orders))]
    order["trade_state"] = "PAYERROR"
    failure = alpha_wechat.notify(success[0], order["mchid"], "TRANSACTION.FAIL", alpha_wechat._order_view(order))
    for notification in (success, success, failure):
        assert _deliver(shop, notification).status_code == 204
    with schema_context(shop.schema_name):
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.SUCCEEDED
        assert Journal.objects.filter(kind="period.paid").count() == 1 and unbalanced_journals() == []
        assert ProviderNotification.objects.filter(kind__startswith="TRANSACTION").count() == 2


def test_forged_tampered_stale_and_foreign_notifications_are_refused(shop, other_shop, alpha_wechat):
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        start = agreement_sign_begin(contract=contract, rail="wechat", clock=FixedClock(NOW))
    url, headers, body = alpha_wechat.customer_signs(start.url.rsplit("/", 1)[1])
    tampered = (url, headers, body.replace('"PAPAY.SIGN"', '"PAPAY.TERMINATE"'))
    forged_headers = {
        **headers,
        "Wechatpay-Signature": rsa2_sign(
            rsa_key_new(), f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n{body}\n"
        ),
    }
    stale_stamp = str(int(time.time()) - 3600)
    stale_headers = {**headers, "Wechatpay-Timestamp": stale_stamp,
                     "Wechatpay-Signature": rsa2_sign(alpha_wechat.key, f"{stale_stamp}\n{headers['Wechatpay-Nonce']}"
                                                                         f"\n{body}\n")}  # fmt: skip
    # Correctly signed, but the resource is encrypted with another merchant's APIv3 key.
    resource = json.loads(body)["resource"]
    wrong_key = {**json.loads(body), "resource": {**resource, "ciphertext": resource["ciphertext"][:-4] + "AAAA"}}
    wrong_body = json.dumps(wrong_key)
    for notification in (tampered, (url, forged_headers, body), (url, stale_headers, body),
                         (url, alpha_wechat.signed_headers(wrong_body), wrong_body)):  # fmt: skip
        assert _deliver(shop, notification).status_code == 400
    assert _deliver(other_shop, (url, headers, body)).status_code == 400  # beta has no WeChat credentials
    with schema_context(shop.schema_name):
        assert PaymentMethod.objects.filter(rail="wechat").count() == 0
        assert ProviderNotification.objects.count() == 0


def test_refund_once_per_key_not_more_than_paid_and_termination(shop, alpha_wechat):
    contract = _signed_contract(shop, alpha_wechat)
    with schema_context(shop.schema_name):
        pre_debit_notice_run(clock=FixedClock(NOW - timedelta(days=1)))
        attempt = period_collect(period=_period(contract), clock=FixedClock(NOW))
        rail = WechatRail.for_current_shop(livemode=False)
        refund = dict(token=contract.payment_method.token, charge_reference=attempt.rail_reference,
                      metadata={"purpose": "deposit_refund", "charged_minor": "39900"})  # fmt: skip
        first = rail.refund(amount=Money(39_900), idempotency_key="refund:w1", **refund)
        assert rail.refund(amount=Money(39_900), idempotency_key="refund:w1", **refund) == first
        with pytest.raises(RefundFailed):
            rail.refund(amount=Money(1), idempotency_key="refund:w2", **refund)
        assert len(alpha_wechat.refunds) == 1
        agreement_end(payment_method=contract.payment_method, reason="contract completed")
        assert alpha_wechat.contracts[contract.payment_method.token]["state"] == "TERMINATED"


def test_credentials_are_proven_by_downloading_the_platform_certificate(shop, fake_wechat):
    with schema_context(shop.schema_name):
        credential = wechat_credentials(shop, fake_wechat, livemode=True, mchid="1900000999")
    assert credential_verify(shop=shop, provider="wechat", livemode=True).is_verified
    fake_wechat.merchants["1900000999"]["apiv3_key"] = "Z" * 32  # certificates encrypted for another key
    checked = credential_verify(shop=shop, provider="wechat", livemode=True)
    assert checked.verified_at is None and checked.verification_error and credential.pk == checked.pk
