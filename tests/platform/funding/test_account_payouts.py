"""Advances paid into each shop's own verified payout account, by its kind: an Alipay
account through alipay.fund.trans.uni.transfer (the local fake gateway, real RSA2 both ways)."""
import uuid
from datetime import timedelta

import pytest

from pawpact.platform.enums import AdvanceStatus, PayoutAccountKind, PayoutAccountStatus, PayoutStatus
from pawpact.platform.funding.payout_rails import AccountPayoutRail, payout_rail_for
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.models import Advance, Payout, PayoutAccount
from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from tests.platform.funding.conftest import assert_ledger_ok, drain, emit, signed

ALIPAY_USER = "2088000000000001"
HOLDER = "杭州快乐爪爪宠物店"


@pytest.fixture
def alipay(settings):
    gateway = FakeAlipay().start()
    key = rsa_key_new()
    app_id = gateway.app_register(public_pem(key))
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS,
                                 "alipay": {"live": gateway.gateway_url, "test": gateway.gateway_url}}  # fmt: skip
    settings.PAWPACT_PLATFORM_ALIPAY = {"app_id": app_id, "app_private_key": private_pem(key),
                                        "alipay_public_key": gateway.public_key_pem}  # fmt: skip
    gateway.payees[ALIPAY_USER] = HOLDER
    yield gateway
    gateway.stop()


def _account(shop, kind=PayoutAccountKind.ALIPAY_RECEIVER, ref=ALIPAY_USER, status=PayoutAccountStatus.VERIFIED):
    return PayoutAccount.objects.create(shop=shop, kind=kind, account_ref=ref, holder_name=HOLDER, status=status)


def _due(shop, clock):
    emit(shop, signed(uuid.uuid4()))
    drain(shop, clock)
    clock.advance(timedelta(days=7))


def test_a_shop_with_an_alipay_account_is_paid_once_by_alipay_transfer(shop, clock, alipay):
    _account(shop)
    _due(shop, clock)
    rail = AccountPayoutRail()
    report = settlement_run(clock=clock, rail=rail)
    settlement_run(clock=clock, rail=rail)  # again: nothing is paid twice

    payout = Payout.objects.get()
    [transfer] = alipay.transfers.values()
    assert (report.payouts_paid, payout.status, payout.rail) == (1, PayoutStatus.PAID, "accounts")
    assert (transfer["amount"], transfer["payee"], payout.rail_reference) == ("4309.20", ALIPAY_USER, transfer["order_id"])
    assert alipay.calls["alipay.fund.trans.uni.transfer"] == 1
    assert Advance.objects.get().status == AdvanceStatus.PAID
    assert_ledger_ok()


def test_an_alipay_account_named_by_its_login_is_paid_by_logon_id(shop, clock, alipay):
    alipay.payees["lina@happypaws.cn"] = HOLDER
    _account(shop, ref="lina@happypaws.cn")
    _due(shop, clock)
    report = settlement_run(clock=clock, rail=AccountPayoutRail())
    [transfer] = alipay.transfers.values()
    assert (report.payouts_paid, transfer["amount"], transfer["payee"]) == (1, "4309.20", "lina@happypaws.cn")
    assert Payout.objects.get().status == PayoutStatus.PAID
    assert_ledger_ok()


def test_a_lost_answer_is_sent_again_with_the_same_out_biz_no_and_paid_once(shop, clock, alipay):
    _account(shop)
    _due(shop, clock)
    alipay.fail_next = ["drop"]  # Alipay pays, its answer never arrives
    assert settlement_run(clock=clock, rail=AccountPayoutRail()).payouts_unknown == 1
    assert Payout.objects.get().status == PayoutStatus.CREATED and len(alipay.transfers) == 1
    assert settlement_run(clock=clock, rail=AccountPayoutRail()).payouts_paid == 1
    assert Payout.objects.get().status == PayoutStatus.PAID
    assert len(alipay.transfers) == 1 and alipay.calls["alipay.fund.trans.uni.transfer"] == 2
    assert_ledger_ok()


def test_a_refused_transfer_fails_the_payout_with_alipays_reason(shop, clock, alipay):
    _account(shop, ref="2088000000000999")  # verified here, unknown at Alipay
    _due(shop, clock)
    report = settlement_run(clock=clock, rail=AccountPayoutRail())
    assert report.payouts_failed == 1 and "PAYEE_NOT_EXIST" in report.failures[0]
    assert Payout.objects.get().status == PayoutStatus.FAILED and alipay.transfers == {}
    assert Advance.objects.get().status == AdvanceStatus.IN_PAYOUT
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("kind", "ref", "status", "reason"),
    [
        (PayoutAccountKind.ALIPAY_RECEIVER, ALIPAY_USER, PayoutAccountStatus.PENDING, "has no verified payout account"),
        (PayoutAccountKind.WECHAT_RECEIVER, "1900000109", PayoutAccountStatus.VERIFIED, "no transfer to a merchant"),
    ],
)
def test_no_payout_to_an_unverified_or_unpayable_account(shop, clock, alipay, kind, ref, status, reason):
    _account(shop, kind=kind, ref=ref, status=status)
    _due(shop, clock)
    report = settlement_run(clock=clock, rail=AccountPayoutRail())
    assert report.payouts_paid == 0 and reason in report.failures[0]
    assert alipay.transfers == {} and "alipay.fund.trans.uni.transfer" not in alipay.calls
    assert Advance.objects.get().status == AdvanceStatus.IN_PAYOUT
    assert_ledger_ok()


def test_the_accounts_rail_is_chosen_by_settings(settings):
    settings.PAWPACT_PAYOUT_RAIL = "accounts"
    assert isinstance(payout_rail_for(), AccountPayoutRail)
