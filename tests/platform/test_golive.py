"""Going live: a console action with checks; the banner tells test mode everywhere."""

import pytest
from django.test import Client

from pawpact.accounts.models import User
from pawpact.platform.enums import PayoutAccountKind
from pawpact.platform.funding.payout_accounts import payout_account_set, payout_account_verify
from pawpact.platform.golive import shop_go_live
from pawpact.tenants.credentials import credential_save, credential_verification_record
from pawpact.tenants.enums import ShopEventKind
from pawpact.tenants.errors import LiveModeNotReady
from pawpact.tenants.models import Shop, ShopEvent
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from tests.conftest import SHOP_PASSWORD, host_of
from tests.payments.gateways import (
    alipay_credentials,
    fake_alipay,  # noqa: F401  (a fixture)
)
from tests.platform.saas.conftest import owner_browser


KEY = rsa_key_new()


@pytest.fixture
def platform_admin(db):
    return User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)


@pytest.fixture
def console(public_client, platform_admin):
    public_client.force_login(platform_admin)
    return public_client


def _platform_alipay_app(settings, gateway):
    key = rsa_key_new()
    settings.PAWPACT_PLATFORM_ALIPAY = {"app_id": gateway.app_register(public_pem(key)), "app_private_key": private_pem(key),
                                        "alipay_public_key": gateway.public_key_pem}  # fmt: skip


def _messaging_and_credit_credentials(shop, *, verified=True):
    row = credential_save(shop=shop, provider="aliyun_sms", livemode=True, actor=None,
                          config={"access_key_id": "LTAI5tTestKeyId01", "sign_name": "快乐爪爪",
                                  "template_code": "SMS_100000001"},
                          secrets={"access_key_secret": "a" * 30})  # fmt: skip
    if verified:
        credential_verification_record(credential_id=row.pk)
    email = credential_save(shop=shop, provider="email", livemode=True, actor=None,
                            config={"esp": "postmark", "from_email": "hello@alpha.example"},
                            secrets={"api_key": "postmark-token-0001"})  # fmt: skip
    zhima = credential_save(shop=shop, provider="zhima", livemode=True, actor=None, config={"app_id": "2021000000000001"},
                            secrets={"app_private_key": private_pem(KEY), "alipay_public_key": public_pem(KEY)})  # fmt: skip
    if verified:
        credential_verification_record(credential_id=email.pk)
        credential_verification_record(credential_id=zhima.pk)


def test_going_live_needs_every_check_then_logs_it(settings, shop, platform_admin, fake_alipay, console):
    with pytest.raises(LiveModeNotReady) as refused:
        shop_go_live(shop=shop, actor=platform_admin)
    assert set(refused.value.fields) == {"platform", "debit_rail", "sms", "email", "credit", "payout_account"}
    settings.PAWPACT_PLATFORM_MODE = "live"
    alipay_credentials(shop, fake_alipay, livemode=True, verified=False)  # entered, not yet verified
    _messaging_and_credit_credentials(shop)
    payout_account_set(shop=shop, kind=PayoutAccountKind.ALIPAY_RECEIVER, account_ref="2088000000000001",
                       holder_name="Alpha Pets Ltd", actor=platform_admin)  # fmt: skip
    with pytest.raises(LiveModeNotReady) as refused:
        shop_go_live(shop=shop, actor=platform_admin)
    assert set(refused.value.fields) == {"debit_rail", "payout_account"}
    assert Shop.objects.get(pk=shop.pk).mode == "test"
    alipay_credentials(shop, fake_alipay, livemode=True)
    _platform_alipay_app(settings, fake_alipay)
    fake_alipay.payees["2088000000000001"] = "Alpha Pets Ltd"
    assert payout_account_verify(shop=shop, actor=platform_admin).status == "verified"
    page = console.get(f"/console/shops/{shop.pk}/money/").content.decode()
    assert "<button>Go live</button>" in page  # every check passes: the button is offered
    shop = shop_go_live(shop=shop, actor=platform_admin, reason="contract signed with Alipay")
    assert shop.mode == "live"
    event = ShopEvent.objects.filter(shop=shop).first()
    assert (event.kind, event.actor, event.reason) == (ShopEventKind.WENT_LIVE, platform_admin,
                                                       "contract signed with Alipay")  # fmt: skip


def test_the_console_page_shows_checks_and_never_a_secret(console, shop, fake_alipay):
    row = alipay_credentials(shop, fake_alipay)
    page = console.get(f"/console/shops/{shop.pk}/money/").content.decode()
    assert "Test mode" in page and "Go live" in page and row.secret_fingerprint in page
    # Checks are missing: the button is disabled and says why (the server refuses anyway, below).
    assert '<button disabled aria-describedby="go-live-help">Go live</button>' in page
    assert "Go live becomes possible once every check above is ticked." in page
    unmet = page.count("✗ ")  # the reason can't be typed either, and the page counts what is missing
    assert unmet >= 1 and 'name="reason" value="" disabled aria-describedby="go-live-help">' in page
    assert f"This shop cannot go live yet: {unmet} check{' above is' if unmet == 1 else 's above are'} not met (✗)." in page
    zh = console.get(f"/console/shops/{shop.pk}/money/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"该门店暂不能切换到正式模式：上方有 {unmet} 项检查未通过（✗）。" in zh
    assert "PRIVATE KEY" not in page and row.secret_ciphertext[:20] not in page
    response = console.post(f"/console/shops/{shop.pk}/money/go-live/", {"reason": "try"}, follow=True)
    assert "The shop cannot go live yet." in response.content.decode()
    assert Shop.objects.get(pk=shop.pk).mode == "test"
    # A malformed key is refused on the page, and nothing is saved.
    response = console.post(f"/console/shops/{shop.pk}/money/credentials/",
                            {"provider": "wechat", "mode": "live", "mchid": "12", "private_key": "nope"}, follow=True)  # fmt: skip
    assert "These credentials cannot be used; nothing was saved." in response.content.decode()
    assert shop.credentials.filter(provider="wechat").count() == 0


def test_a_shop_in_test_mode_shows_the_banner_on_its_pages(shop, other_shop):
    Shop.objects.filter(pk=other_shop.pk).update(mode="live")
    banner = "Sandbox providers, pretend money"
    assert banner in Client(HTTP_HOST=host_of(shop)).get("/accounts/login/").content.decode()
    assert banner not in Client(HTTP_HOST=host_of(other_shop)).get("/accounts/login/").content.decode()
    assert banner in owner_browser(shop).get("/manage/").content.decode()  # the back office too


def test_each_provider_has_its_own_form_and_errors_name_the_field_in_the_admins_language(console, shop):
    page = console.get(f"/console/shops/{shop.pk}/money/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    alipay_form = page[page.index("<summary>Alipay</summary>"):page.index("</details>", page.index("<summary>Alipay</summary>"))]
    assert 'name="app_id"' in alipay_form and 'name="apiv3_key"' not in alipay_form and 'name="access_key_id"' not in alipay_form
    response = console.post(f"/console/shops/{shop.pk}/money/credentials/", {"provider": "alipay", "mode": "test"},
                            follow=True, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    body = response.content.decode()
    assert "App id: An Alipay app id is 16 digits." in body and "支付宝" not in body
    assert "Required." not in body and shop.credentials.count() == 0


def test_a_refused_go_live_lists_what_is_missing_keeps_the_reason_and_says_how_the_platform_goes_live(console, shop):
    response = console.post(f"/console/shops/{shop.pk}/money/go-live/", {"reason": "Signed with Alipay on 3 March"},
                            HTTP_ACCEPT_LANGUAGE="en", follow=True)  # fmt: skip
    body = response.content.decode()
    # Back on the shop's own page (not the POST address), with the reasons and the reason as typed.
    assert response.redirect_chain == [(f"/console/shops/{shop.pk}/money/", 302)]
    assert response.status_code == 200 and Shop.objects.get(pk=shop.pk).mode == "test"
    assert not ShopEvent.objects.filter(shop=shop, kind=ShopEventKind.WENT_LIVE).exists()
    assert "The shop cannot go live yet. Missing: The platform itself is in test mode; " in body and ".; " not in body
    assert 'value="Signed with Alipay on 3 March"' in body
    assert "production settings" in body and "Live mode" in body
    zh = console.post(f"/console/shops/{shop.pk}/money/go-live/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans",
                      follow=True)  # fmt: skip
    assert "。; " not in zh.content.decode() and "缺少：平台本身处于测试模式" in zh.content.decode()


def test_the_reason_typed_for_a_refused_switch_is_shown_once_and_only_on_that_shops_page(console, shop, other_shop):
    console.post(f"/console/shops/{shop.pk}/money/go-live/", {"reason": "Signed on 3 March"})
    other = console.get(f"/console/shops/{other_shop.pk}/money/").content.decode()
    assert 'value="Signed on 3 March"' not in other
    assert 'value="Signed on 3 March"' not in console.get(f"/console/shops/{shop.pk}/money/").content.decode()
