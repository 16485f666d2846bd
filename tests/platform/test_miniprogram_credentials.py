"""A shop's WeChat mini-program credentials in the console: entered on the shop's money page like
the other providers' (each field checked and named, nothing written on bad input), the AppSecret
encrypted and shown again to nobody, and verified by asking the fake WeChat for an access token,
whose refusal reads in plain words in the admin's language."""

import pytest

from pawpact.accounts.models import User
from pawpact.tenants.models import ShopCredential
from tests.conftest import SHOP_PASSWORD
from tests.payments.gateways import APPID, OTHER_SECRET, SECRET
from tests.payments.gateways import fake_miniprogram  # noqa: F401  (the fixture)


@pytest.fixture
def admin(db):
    return User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)


@pytest.fixture
def console(public_client, admin):
    public_client.force_login(admin)
    return public_client


def _post(console, shop, action, data, language="en"):
    return console.post(f"/console/shops/{shop.pk}/money/{action}/", data, follow=True, HTTP_ACCEPT_LANGUAGE=language)


def test_the_form_asks_for_the_app_id_and_appsecret_only_and_names_each_bad_field(console, shop):
    page = console.get(f"/console/shops/{shop.pk}/money/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    start = page.index("<summary>WeChat mini-program</summary>")
    form = page[start:page.index("</details>", start)]
    assert 'name="appid"' in form and 'name="app_secret"' in form and 'name="mchid"' not in form
    typed = "ZZ" + SECRET[2:]
    body = _post(console, shop, "credentials", {"provider": "miniprogram", "mode": "live", "appid": "wx12345",
                                               "app_secret": typed}).content.decode()  # fmt: skip
    assert "These credentials cannot be used; nothing was saved." in body
    assert "WeChat app id: A WeChat app id looks like wx followed by 16 hex digits." in body
    assert "Mini-program AppSecret: A mini-program AppSecret is 32 hex digits." in body
    assert typed not in body and ShopCredential.objects.count() == 0
    zh = _post(console, shop, "credentials", {"provider": "miniprogram", "mode": "live", "appid": APPID},
               language="zh-hans").content.decode()  # fmt: skip
    assert "小程序 AppSecret：小程序 AppSecret 是 32 位十六进制字符。" in zh and ShopCredential.objects.count() == 0


def test_saved_credentials_show_a_fingerprint_then_wechats_verdict(console, admin, shop, fake_miniprogram):  # noqa: F811
    fake_miniprogram.miniprogram_register(APPID, OTHER_SECRET)  # WeChat knows another secret
    body = _post(console, shop, "credentials", {"provider": "miniprogram", "mode": "test", "appid": APPID,
                                               "app_secret": SECRET}).content.decode()  # fmt: skip
    row = ShopCredential.objects.get(shop=shop, provider="miniprogram")
    assert (row.livemode, row.config, row.updated_by, row.verified_at) == (False, {"appid": APPID}, admin, None)
    assert row.secret_fingerprint in body and APPID in body and SECRET not in body and SECRET not in row.secret_ciphertext
    refused = _post(console, shop, "verify", {"provider": "miniprogram", "mode": "test"}).content.decode()
    assert "WeChat says the AppSecret is wrong, or belongs to another mini-program." in refused
    zh = console.get(f"/console/shops/{shop.pk}/money/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "微信小程序" in zh
    fake_miniprogram.miniprogram_register(APPID, SECRET)
    _post(console, shop, "verify", {"provider": "miniprogram", "mode": "test"})
    row.refresh_from_db()
    assert row.verified_at is not None and row.verification_error == ""
    assert fake_miniprogram.miniprogram_calls == [("/cgi-bin/stable_token", APPID)] * 2
