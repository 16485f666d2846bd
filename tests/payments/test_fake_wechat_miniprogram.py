"""The fake WeChat's mini-program endpoints answer over HTTP as WeChat's do (errcodes included),
issue one-time codes, and keep their mini-programs and issued codes across a restart."""

import json
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from pawpact.sandbox.gateways.wechat import FakeWechat
from tests.payments.gateways import APPID, OTHER_APPID, SECRET


def _get(gateway, path, **query) -> dict:
    with urlopen(f"{gateway.url}{path}?{urlencode(query)}", timeout=10) as answer:
        assert answer.status == 200  # WeChat answers its refusals with 200 too
        return json.loads(answer.read())


def _post(gateway, path, body) -> dict:
    with urlopen(Request(f"{gateway.url}{path}", data=json.dumps(body).encode(), method="POST"), timeout=10) as answer:
        return json.loads(answer.read())


def _session(gateway, code, *, appid=APPID, secret=SECRET, grant_type="authorization_code") -> dict:
    return _get(gateway, "/sns/jscode2session", appid=appid, secret=secret, js_code=code, grant_type=grant_type)


@pytest.fixture
def gateway():
    fake = FakeWechat().start()
    fake.miniprogram_register(APPID, SECRET)
    yield fake
    fake.stop()


def test_jscode2session_answers_like_wechat(gateway):
    code = _post(gateway, "/__fake/wx.login", {"appid": APPID, "user": "ann"})["code"]
    session = _session(gateway, code)
    assert set(session) == {"openid", "session_key", "unionid"} and len(session["openid"]) == 28
    assert _session(gateway, "wx_test_ann.1")["openid"] == session["openid"]  # the same user, the same openid
    errcodes = [
        _session(gateway, code)["errcode"],  # used
        _session(gateway, "never-issued")["errcode"],
        _session(gateway, "wx_test_busy")["errcode"],
        _session(gateway, "wx_test_rate_limited")["errcode"],
        _session(gateway, "wx_test_bo.1", secret="f" * 32)["errcode"],
        _session(gateway, "wx_test_bo.1", appid=OTHER_APPID)["errcode"],
        _session(gateway, "wx_test_bo.1", grant_type="client_credential")["errcode"],
        _post(gateway, "/__fake/wx.login", {"appid": OTHER_APPID, "user": "ann"})["errcode"],
    ]
    assert errcodes == [40163, 40029, -1, 45011, 40125, 40013, 40002, 40013]
    assert "rid:" in _session(gateway, "never-issued")["errmsg"]


def test_access_tokens_for_the_right_secret_only(gateway):
    token = _get(gateway, "/cgi-bin/token", grant_type="client_credential", appid=APPID, secret=SECRET)
    assert token["expires_in"] == 7200 and len(token["access_token"]) > 32
    stable = _post(gateway, "/cgi-bin/stable_token", {"grant_type": "client_credential", "appid": APPID,
                                                      "secret": SECRET, "force_refresh": False})  # fmt: skip
    assert stable["expires_in"] == 7200
    assert _get(gateway, "/cgi-bin/token", grant_type="client_credential", appid=APPID, secret="0" * 32)["errcode"] == 40001
    assert _post(gateway, "/cgi-bin/stable_token", {"grant_type": "client_credential", "appid": APPID,
                                                    "secret": "0" * 32})["errcode"] == 40125  # fmt: skip


def test_mini_programs_and_issued_codes_survive_a_restart(tmp_path):
    path = tmp_path / "wechat-state.json"
    first = FakeWechat()
    first.persist_to(path)
    first.start()
    first.miniprogram_register(APPID, SECRET)
    code = first.wx_login(APPID, "ann")
    used = first.wx_login(APPID, "ann")
    assert "openid" in _session(first, used)
    first.stop()
    again = FakeWechat()
    again.persist_to(path)
    again.start()
    try:
        assert "openid" in _session(again, code)  # issued before the restart, still good once
        assert _session(again, used)["errcode"] == 40163  # used before the restart, still used
    finally:
        again.stop()
