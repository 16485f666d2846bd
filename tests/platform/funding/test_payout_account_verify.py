"""A payout account is verified by its provider, never by someone's word: an Alipay
receiver by alipay.trade.royalty.relation.bind on the platform's Alipay app (the local fake
gateway, real RSA2 both ways), a Stripe account by Stripe; refusals change nothing."""
import pytest
import stripe
from django.utils import translation

from pawpact.accounts.models import User
from pawpact.core.errors import BusinessRuleViolation, ValidationFailed
from pawpact.payments.errors import RailNotConfigured
from pawpact.platform.enums import PayoutAccountKind, PayoutAccountStatus
from pawpact.platform.funding.payout_accounts import payout_account_set, payout_account_verify
from pawpact.platform.models import PayoutAccount
from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from tests.conftest import SHOP_PASSWORD

ALIPAY_USER = "2088000000000001"
HOLDER = "杭州快乐爪爪宠物店"


@pytest.fixture
def admin(db):
    return User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)


@pytest.fixture
def alipay(settings):
    gateway = FakeAlipay().start()
    key = rsa_key_new()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS,
                                 "alipay": {"live": gateway.gateway_url, "test": gateway.gateway_url}}  # fmt: skip
    settings.PAWPACT_PLATFORM_ALIPAY = {"app_id": gateway.app_register(public_pem(key)),
                                        "app_private_key": private_pem(key), "alipay_public_key": gateway.public_key_pem}  # fmt: skip
    gateway.payees[ALIPAY_USER] = HOLDER
    yield gateway
    gateway.stop()


def _alipay_account(shop, admin, *, ref=ALIPAY_USER, holder=HOLDER):
    return payout_account_set(shop=shop, kind=PayoutAccountKind.ALIPAY_RECEIVER, account_ref=ref, holder_name=holder,
                              actor=admin)  # fmt: skip


def test_an_alipay_receiver_is_verified_when_alipay_binds_it_under_its_holders_name(shop, admin, alipay):
    _alipay_account(shop, admin)
    account = payout_account_verify(shop=shop, actor=admin)
    assert (account.status, account.verified_by, account.is_verified) == (PayoutAccountStatus.VERIFIED, admin, True)
    assert alipay.calls["alipay.trade.royalty.relation.bind"] == 1
    assert [user for _app, user in alipay.royalty_receivers] == [ALIPAY_USER]
    assert alipay.transfers == {}  # the check moves no money


@pytest.mark.parametrize(("ref", "holder", "sub_code", "english", "chinese"), [
    ("2088000000000999", HOLDER, "ACQ.ROYALTY_RECEIVER_NOT_EXIST", "Alipay cannot find this account", "支付宝找不到该账户"),
    (ALIPAY_USER, "Someone Else Ltd", "ACQ.ROYALTY_RECEIVER_NAME_NOT_MATCH",
     "does not match the real name registered with Alipay", "与该支付宝账户的实名认证名称不一致"),
])  # fmt: skip
def test_alipay_refusing_the_receiver_leaves_it_rejected_with_a_plain_reason_in_the_viewers_language(
    shop, admin, alipay, ref, holder, sub_code, english, chinese
):
    _alipay_account(shop, admin, ref=ref, holder=holder)
    with translation.override("zh-hans"):  # checked by a Chinese-speaking owner
        account = payout_account_verify(shop=shop, actor=admin)
    assert (account.status, account.verified_at, account.verified_by) == (PayoutAccountStatus.REJECTED, None, None)
    assert (account.verdict_code, account.verdict_params, account.note) == ("alipay_refused", {"reason": sub_code}, "")
    assert alipay.royalty_receivers == set()
    with translation.override("en"):  # read by an English-speaking admin
        assert english in account.note_text and sub_code not in account.note_text
    with translation.override("zh-hans"):
        assert chinese in account.note_text
    assert account.note_detail == sub_code  # Alipay's own code, kept for support


def test_stripe_without_such_an_account_is_worded_in_the_viewers_language(shop, admin):
    class NoSuchAccount:
        class v1:
            class accounts:
                @staticmethod
                def retrieve(ref):
                    raise stripe.InvalidRequestError("No such account: 'acct_1NoSuchAcct0'", "account", code="resource_missing")

    payout_account_set(shop=shop, kind=PayoutAccountKind.STRIPE_CONNECT, account_ref="acct_1NoSuchAcct0", holder_name="Shop",
                       actor=admin)  # fmt: skip
    account = payout_account_verify(shop=shop, actor=admin, client=NoSuchAccount)
    assert (account.status, account.verdict_code) == (PayoutAccountStatus.REJECTED, "stripe_refused")
    with translation.override("zh-hans"):
        assert "Stripe 没有该账户" in account.note_text and "No such account" not in account.note_text
    with translation.override("en"):
        assert account.note_text.startswith("Stripe has no such account")


def test_without_the_platforms_alipay_app_nothing_is_verified_and_the_admin_is_told_so(shop, admin, settings):
    settings.PAWPACT_PLATFORM_ALIPAY = {"app_id": "", "app_private_key": "", "alipay_public_key": ""}
    _alipay_account(shop, admin)
    with translation.override("zh-hans"), pytest.raises(RailNotConfigured) as refused:
        payout_account_verify(shop=shop, actor=admin)
    assert "支付宝" in refused.value.message and "PAWPACT" not in refused.value.message
    assert PayoutAccount.objects.get(shop=shop).status == PayoutAccountStatus.PENDING


def test_a_stripe_account_without_stripe_on_the_platform_says_so_in_plain_words(shop, admin, settings):
    settings.STRIPE_SECRET_KEY = ""
    payout_account_set(shop=shop, kind=PayoutAccountKind.STRIPE_CONNECT, account_ref="acct_1Pawpact0001",
                       holder_name="Alpha Pets Ltd", actor=admin)  # fmt: skip
    with pytest.raises(RailNotConfigured) as refused:
        payout_account_verify(shop=shop, actor=admin)
    assert refused.value.message.startswith("Stripe is not set up on this platform yet")
    assert "STRIPE_SECRET_KEY" not in refused.value.message
    assert PayoutAccount.objects.get(shop=shop).status == PayoutAccountStatus.PENDING


def test_a_wechat_receiver_cannot_be_saved_nor_verified_since_wechat_cannot_pay_a_shop(shop, admin):
    with pytest.raises(ValidationFailed) as refused:
        payout_account_set(shop=shop, kind=PayoutAccountKind.WECHAT_RECEIVER, account_ref="1900000109",
                           holder_name="Alpha Pets Ltd", actor=admin)  # fmt: skip
    assert list(refused.value.fields) == ["kind"] and not PayoutAccount.objects.exists()
    # One saved before WeChat was refused on saving is still never verified.
    PayoutAccount.objects.create(shop=shop, kind=PayoutAccountKind.WECHAT_RECEIVER, account_ref="1900000109",
                                 holder_name="Alpha Pets Ltd")  # fmt: skip
    with pytest.raises(BusinessRuleViolation):
        payout_account_verify(shop=shop, actor=admin)
    assert PayoutAccount.objects.get(shop=shop).status == PayoutAccountStatus.PENDING


def test_account_format_errors_follow_the_admins_language(shop, admin):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        payout_account_set(shop=shop, kind=PayoutAccountKind.STRIPE_CONNECT, account_ref="", holder_name="", actor=admin)
    assert refused.value.fields["account_ref"] == ["A Stripe connected account id starts with acct_."]
    assert not PayoutAccount.objects.exists()


def test_the_console_verifies_by_the_provider_and_ignores_any_typed_evidence(public_client, shop, admin, alipay):
    public_client.force_login(admin)
    _alipay_account(shop, admin, ref="2088000000000999")
    public_client.post(f"/console/shops/{shop.pk}/money/payout-account-verify/", {"evidence": "I checked, trust me"})
    assert PayoutAccount.objects.get(shop=shop).status == PayoutAccountStatus.REJECTED
    page = public_client.get(f"/console/shops/{shop.pk}/money/").content.decode()
    assert "Alipay cannot find this account" in page and 'name="evidence"' not in page
    assert "ACQ.ROYALTY_RECEIVER_NOT_EXIST" in page  # as a small detail, for support
    assert 'value="2088000000000999"' in page and f'value="{HOLDER}"' in page  # the refused account, to correct


def test_a_refusal_recorded_as_worded_text_before_is_read_again_as_alipays_code(shop, admin):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("pawpact.platform.migrations.0012_payout_verdict_code")
    account = _alipay_account(shop, admin)
    PayoutAccount.objects.filter(pk=account.pk).update(
        status=PayoutAccountStatus.REJECTED, note="支付宝拒绝了该账户：ACQ.ROYALTY_RECEIVER_NAME_NOT_MATCH")
    migration.notes_to_verdicts(apps, None)
    account.refresh_from_db()
    assert (account.verdict_code, account.verdict_params, account.note) == (
        "alipay_refused", {"reason": "ACQ.ROYALTY_RECEIVER_NAME_NOT_MATCH"}, "")
    with translation.override("en"):
        assert "does not match the real name registered with Alipay" in account.note_text
