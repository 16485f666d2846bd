"""The console's payout-account form: a refused account is a form error in the admin's
language (never a 500) and writes nothing; a valid Alipay receiver, named by its login
(email or mobile) and its holder's real name, saves and verifies in test mode against the
local fake Alipay gateway; WeChat Pay, which cannot pay a shop, is neither offered nor saved."""

import pytest

from pawpact.accounts.models import User
from pawpact.platform.enums import PayoutAccountStatus
from pawpact.platform.models import PayoutAccount
from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from tests.conftest import SHOP_PASSWORD

HOLDER = "杭州快乐爪爪宠物店"


@pytest.fixture
def console(public_client, db):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    return public_client


@pytest.fixture
def alipay(settings):
    gateway = FakeAlipay().start()
    key = rsa_key_new()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS,
                                 "alipay": {"live": gateway.gateway_url, "test": gateway.gateway_url}}  # fmt: skip
    settings.PAWPACT_PLATFORM_ALIPAY = {"app_id": gateway.app_register(public_pem(key)),
                                        "app_private_key": private_pem(key), "alipay_public_key": gateway.public_key_pem}  # fmt: skip
    yield gateway
    gateway.stop()


def _save(console, shop, language, **fields):
    return console.post(f"/console/shops/{shop.pk}/money/payout-account/", fields, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Account: Enter the Alipay account: its email or mobile number, or its user id"),
    ("zh-hans", "账户：请填写支付宝账户"),
])  # fmt: skip
@pytest.mark.parametrize("fields", [
    {"kind": "alipay_receiver", "account_ref": "not an account", "holder_name": HOLDER},
    {"kind": "alipay_receiver", "account_ref": "", "holder_name": ""},
])  # fmt: skip
def test_a_refused_payout_account_shows_its_reason_keeps_the_input_and_writes_nothing(console, shop, language, expected,
                                                                                     fields):  # fmt: skip
    response = _save(console, shop, language, **fields)
    body = response.content.decode()
    assert response.status_code == 400 and expected in body
    assert f'value="{fields["account_ref"]}"' in body and f'value="{fields["holder_name"]}"' in body
    assert PayoutAccount.objects.count() == 0


@pytest.mark.parametrize("login", ["lina@happypaws.cn", "13800138000", "2088000000000001"])
def test_a_valid_alipay_receiver_saves_and_verifies_in_test_mode(console, shop, alipay, login):
    alipay.payees[login] = HOLDER
    response = _save(console, shop, "en", kind="alipay_receiver", account_ref=login, holder_name=HOLDER)
    assert response.status_code == 302
    account = PayoutAccount.objects.get(shop=shop)
    assert (account.account_ref, account.holder_name, account.status) == (login, HOLDER, PayoutAccountStatus.PENDING)
    page = console.post(f"/console/shops/{shop.pk}/money/payout-account-verify/", follow=True,
                        HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    account.refresh_from_db()
    assert account.status == PayoutAccountStatus.VERIFIED and "Verified" in page
    assert [user for _app, user in alipay.royalty_receivers] == [login]


def test_wechat_is_not_offered_and_refused_on_save(console, shop):
    page = console.get(f"/console/shops/{shop.pk}/money/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="alipay_receiver"' in page and 'value="wechat_receiver"' not in page
    response = _save(console, shop, "en", kind="wechat_receiver", account_ref="1900000109", holder_name=HOLDER)
    assert response.status_code == 400 and "cannot pay a shop: choose Stripe or Alipay" in response.content.decode()
    assert PayoutAccount.objects.count() == 0
