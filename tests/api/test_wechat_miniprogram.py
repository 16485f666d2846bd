"""WeChat mini-program login with the shop's own mini-program credentials, over real HTTP against
the fake WeChat (jscode2session, stable_token): codes exchanged for the shop's openid, WeChat's
refusals as the catalogue's errors with nothing written, the sandbox only in test mode without
credentials, never another shop's credentials, and the AppSecret never logged."""

import logging

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice, User, WeChatIdentity
from pawpact.platform.golive import credential_verify
from pawpact.sandbox.gateways.wechat_miniprogram import _id as fake_id
from pawpact.tenants.credentials import credential_save
from pawpact.tenants.models import Shop
from tests.conftest import SHOP_PASSWORD, host_of
from tests.payments.gateways import APPID, OTHER_APPID, OTHER_SECRET, SECRET
from tests.payments.gateways import fake_miniprogram  # noqa: F401  (the fixture)
from tests.payments.gateways import miniprogram_credentials as mini_program


@pytest.fixture
def wechat(fake_miniprogram):  # noqa: F811
    return fake_miniprogram


def _client(shop, token=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _customer_token(shop, email="ann@alpha.test") -> str:
    with schema_context(shop.schema_name):
        User.objects.create_user(email, SHOP_PASSWORD)
    answer = _client(shop).post("/api/v1/auth/token", {"email": email, "password": SHOP_PASSWORD}, format="json")
    return answer.json()["token"]


def _rows(shop) -> tuple[int, int]:
    with schema_context(shop.schema_name):
        return WeChatIdentity.objects.count(), ApiDevice.objects.count()


def _login(shop, code):
    return _client(shop).post("/api/v1/auth/wechat", {"code": code, "device_name": "Mini"}, format="json")


def test_verify_asks_wechat_for_a_token_and_records_its_reason_in_plain_words(shop, wechat):
    assert mini_program(shop, wechat).verified_at is not None
    assert wechat.miniprogram_calls == [("/cgi-bin/stable_token", APPID)]
    wrong = mini_program(shop, wechat, registered_secret=OTHER_SECRET)
    assert (wrong.verified_at, wrong.verification_error) == (
        None, "WeChat says the AppSecret is wrong, or belongs to another mini-program.")  # fmt: skip
    credential_save(shop=shop, provider="miniprogram", livemode=False, config={"appid": OTHER_APPID},
                    secrets={"app_secret": SECRET}, actor=None)  # fmt: skip
    unknown = credential_verify(shop=shop, provider="miniprogram", livemode=False)
    assert unknown.verification_error == "WeChat knows no mini-program with this app id."
    wechat.stop()
    down = credential_verify(shop=shop, provider="miniprogram", livemode=False)
    assert (down.verified_at, down.verification_error) == (None, "WeChat did not answer; verify again in a moment.")


def test_a_test_shop_with_a_mini_program_signs_its_users_in_through_wechat(shop, wechat):
    mini_program(shop, wechat)
    unlinked = _login(shop, wechat.wx_login(APPID, "ann"))
    assert (unlinked.status_code, unlinked.json()["code"]) == (401, "wechat_not_linked")
    token = _customer_token(shop)
    linked = _client(shop, token).post("/api/v1/auth/wechat/link", {"code": wechat.wx_login(APPID, "ann")})
    assert linked.status_code == 204
    with schema_context(shop.schema_name):
        identity = WeChatIdentity.objects.get()
    assert (identity.openid, identity.unionid) == (fake_id("o", f"{APPID}:ann"), fake_id("o", "union:ann"))
    code = wechat.wx_login(APPID, "ann")
    signed_in = _login(shop, code)
    assert signed_in.status_code == 200 and set(signed_in.json()) >= {"token", "refresh_token", "device_id"}
    me = _client(shop, signed_in.json()["token"]).get("/api/v1/me").json()
    assert me["email"] == "ann@alpha.test"
    # The fixed pattern works at the fake too; every code works once.
    assert _login(shop, "wx_test_ann.9").status_code == 200
    for used_or_bad in (code, "wx_test_ann.9", "wx_test_invalid", "081abcDEF", wechat.wx_login(OTHER_APPID, "ann")):
        refused = _login(shop, used_or_bad)
        assert (refused.status_code, refused.json()["code"]) == (401, "wechat_code_invalid")
    assert {appid for path, appid in wechat.miniprogram_calls if path == "/sns/jscode2session"} == {APPID}
    assert _rows(shop) == (1, 3)  # the password login and the two WeChat sign-ins that succeeded


@pytest.mark.parametrize("trouble", ["busy", "rate_limited", "down", "500"])
def test_wechat_busy_or_down_answers_503_and_writes_nothing(shop, wechat, trouble):
    mini_program(shop, wechat)
    token = _customer_token(shop)
    before = _rows(shop)
    code = {"busy": "wx_test_busy", "rate_limited": "wx_test_rate_limited"}.get(trouble, "wx_test_ann.1")
    if trouble == "down":
        wechat.stop()
    elif trouble == "500":
        wechat.fail_next.extend(["500", "500"])
    for answer in (_login(shop, code), _client(shop, token).post("/api/v1/auth/wechat/link", {"code": code})):
        assert (answer.status_code, answer.json()["code"]) == (503, "wechat_unavailable")
    assert _rows(shop) == before


def test_live_mode_needs_the_shops_live_mini_program_and_refuses_sandbox_codes(shop, wechat):
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    mini_program(shop, wechat)  # test-mode credentials never serve live mode
    wechat.miniprogram_calls.clear()
    missing = _login(shop, "081abcDEF")
    assert (missing.status_code, missing.json()["code"]) == (503, "wechat_unavailable")
    assert missing.json()["message"] == "WeChat login is not set up for this shop."
    mini_program(shop, wechat, livemode=True, appid=OTHER_APPID, secret=OTHER_SECRET)
    wechat.miniprogram_calls.clear()
    sandbox = _login(shop, "wx_test_ann.1")
    assert (sandbox.status_code, sandbox.json()["code"]) == (422, "sandbox_in_live_mode")
    assert wechat.miniprogram_calls == [] and _rows(shop) == (0, 0)  # refused before asking WeChat
    token = _customer_token(shop)
    assert _client(shop, token).post("/api/v1/auth/wechat/link", {"code": wechat.wx_login(OTHER_APPID, "bo")}).status_code == 204
    assert _login(shop, wechat.wx_login(OTHER_APPID, "bo")).status_code == 200
    assert wechat.miniprogram_calls[-1] == ("/sns/jscode2session", OTHER_APPID)


def test_a_test_shop_without_a_mini_program_keeps_the_sandbox_and_never_another_shops(shop, other_shop, wechat):
    mini_program(shop, wechat)
    wechat.miniprogram_calls.clear()
    token = _customer_token(other_shop, "cy@beta.test")
    # other_shop has no mini-program: the sandbox answers, and shop's credentials are never used.
    assert _client(other_shop, token).post("/api/v1/auth/wechat/link", {"code": "wx_test_cy.1"}).status_code == 204
    assert _login(other_shop, "wx_test_cy.2").status_code == 200
    assert wechat.miniprogram_calls == []
    # With its own mini-program, a code of the first shop's is refused there (WeChat's 40029).
    mini_program(other_shop, wechat, appid=OTHER_APPID, secret=OTHER_SECRET)
    refused = _login(other_shop, wechat.wx_login(APPID, "cy"))
    assert (refused.status_code, refused.json()["code"]) == (401, "wechat_code_invalid")
    assert wechat.miniprogram_calls[-1] == ("/sns/jscode2session", OTHER_APPID)
    with schema_context(shop.schema_name):
        assert WeChatIdentity.objects.count() == 0


def test_the_app_secret_is_never_logged(shop, wechat, caplog):
    caplog.set_level(logging.DEBUG)
    mini_program(shop, wechat, registered_secret=OTHER_SECRET)  # refused
    mini_program(shop, wechat)
    _login(shop, wechat.wx_login(APPID, "ann"))
    _login(shop, "wx_test_busy")
    wechat.stop()
    _login(shop, "wx_test_ann.1")
    assert caplog.records and SECRET not in caplog.text and OTHER_SECRET not in caplog.text
