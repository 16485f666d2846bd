"""The mini-program half of the fake WeChat (WeChat's api.weixin.qq.com): login codes and access tokens.

    gateway.miniprogram_register(appid, secret)      # as the mini-program's admin console issues them
    code = gateway.wx_login(appid, user="ann")       # the code wx.login() gives WeChat user "ann" there

It answers as WeChat does: HTTP 200 with JSON, a refusal as {"errcode", "errmsg"}.
- GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code →
  {"openid", "session_key", "unionid"}; 40013 unknown app id, 40125 wrong secret, 40029 a code
  unknown, expired (5 minutes) or issued to another mini-program, 40163 a code used already,
  45011 the rate limit, -1 busy;
- GET /cgi-bin/token?grant_type=client_credential&appid&secret and POST /cgi-bin/stable_token
  {"grant_type", "appid", "secret", "force_refresh"} → {"access_token", "expires_in": 7200};
  40013 unknown app id, 40001 (token) / 40125 (stable_token) wrong secret, 40002 bad grant type;
- POST /__fake/wx.login {"appid", "user"} → {"code"}: the fake's own stand-in for the phone,
  where wx.login() really runs.
Fixed codes need no call first: `wx_test_<user>[.<anything>]` is a code of WeChat user <user>
for any mini-program registered here, each working once (the same pattern as the sandbox's, so a
developer's script works whichever answers); `wx_test_invalid` → 40029, `wx_test_busy` → -1,
`wx_test_rate_limited` → 45011. An openid belongs to one (app id, user) pair and a unionid to
the user, as WeChat's do.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from urllib.parse import parse_qsl, urlsplit

CODE_SECONDS = 300
TOKEN_SECONDS = 7200
FIXED_PREFIX = "wx_test_"
FIXED_ERRORS = {
    "wx_test_invalid": (40029, "invalid code"),
    "wx_test_busy": (-1, "system error"),
    "wx_test_rate_limited": (45011, "api minute-quota reach limit  mustslower  retry next minute"),
}
PATHS = ("/sns/", "/cgi-bin/", "/__fake/wx.login")


def _id(prefix: str, text: str, length: int = 27) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:length]


def _error(errcode: int, errmsg: str) -> tuple[int, bytes, dict]:
    return 200, json.dumps({"errcode": errcode, "errmsg": f"{errmsg}, rid: {secrets.token_hex(4)}"}).encode(), {}


def _ok(payload: dict) -> tuple[int, bytes, dict]:
    return 200, json.dumps(payload).encode(), {}


class MiniProgramFake:
    """Mixed into the fake WeChat; its state (`miniprograms`, `login_codes`) is kept with the fake's."""

    MINIPROGRAM_STATE_FIELDS = ("miniprograms", "login_codes")

    def miniprogram_init(self) -> None:
        self.miniprograms: dict[str, dict] = {}  # appid → {"secret"}
        self.login_codes: dict[str, dict] = {}  # code → {"appid", "user", "issued_at", "used"}
        self.miniprogram_calls: list[tuple[str, str]] = []  # (path, app id) of each call, for tests

    def miniprogram_register(self, appid: str, secret: str) -> None:
        with self._lock:  # type: ignore[attr-defined]
            self.miniprograms[appid] = {"secret": secret}
        self.state_save()  # type: ignore[attr-defined]

    def wx_login(self, appid: str, user: str) -> str:
        """A fresh login code of `user` in the mini-program `appid` (WeChat's are 32 characters)."""
        code = secrets.token_urlsafe(24)[:32]
        with self._lock:  # type: ignore[attr-defined]
            self.login_codes[code] = {"appid": appid, "user": user, "issued_at": time.time(), "used": False}
        self.state_save()  # type: ignore[attr-defined]
        return code

    def _codes_prune(self) -> None:
        """Forget codes past their life: WeChat refuses them as unknown anyway (40029)."""
        now = time.time()
        for code in [code for code, issued in self.login_codes.items() if now - issued["issued_at"] > CODE_SECONDS]:
            del self.login_codes[code]

    def miniprogram_handle(self, handler, method: str, body: bytes) -> tuple[int, bytes, dict]:
        parts = urlsplit(handler.path)
        try:
            data = json.loads(body) if method == "POST" and body else dict(parse_qsl(parts.query))
        except ValueError:
            return _error(47001, "data format error")
        if not isinstance(data, dict):
            return _error(47001, "data format error")
        with self._lock:  # type: ignore[attr-defined]
            self.miniprogram_calls.append((parts.path, str(data.get("appid") or "")))
        if parts.path == "/__fake/wx.login" and method == "POST":
            if data.get("appid") not in self.miniprograms or not str(data.get("user") or "").strip():
                return _error(40013, "invalid appid or user")
            return _ok({"code": self.wx_login(data["appid"], str(data["user"]))})
        if not handler.admitted:
            return _error(45011, "api minute-quota reach limit  mustslower  retry next minute")
        if parts.path == "/sns/jscode2session" and method == "GET":
            return self._jscode2session(data)
        if parts.path == "/cgi-bin/token" and method == "GET":
            return self._token(data, wrong_secret=40001)
        if parts.path == "/cgi-bin/stable_token" and method == "POST":
            return self._token(data, wrong_secret=40125)
        return 404, b'{"errcode":404,"errmsg":"not found"}', {}

    def _app_refusal(self, data: dict, *, wrong_secret: int) -> tuple[int, bytes, dict] | None:
        app = self.miniprograms.get(str(data.get("appid") or ""))
        if app is None:
            return _error(40013, "invalid appid")
        if not secrets.compare_digest(str(data.get("secret") or ""), app["secret"]):
            return _error(wrong_secret, "invalid appsecret")
        return None

    def _token(self, data: dict, *, wrong_secret: int) -> tuple[int, bytes, dict]:
        refused = self._app_refusal(data, wrong_secret=wrong_secret)
        if refused is not None:
            return refused
        if data.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        return _ok({"access_token": secrets.token_urlsafe(96), "expires_in": TOKEN_SECONDS})

    def _jscode2session(self, query: dict) -> tuple[int, bytes, dict]:
        refused = self._app_refusal(query, wrong_secret=40125)
        if refused is not None:
            return refused
        if query.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        appid, code = query["appid"], query.get("js_code", "")
        if code in FIXED_ERRORS:
            return _error(*FIXED_ERRORS[code])
        with self._lock:  # type: ignore[attr-defined]
            self._codes_prune()
            issued = self.login_codes.get(code)
            if issued is None and code.startswith(FIXED_PREFIX) and len(code) > len(FIXED_PREFIX):
                user = code[len(FIXED_PREFIX):].split(".", 1)[0]
                issued = self.login_codes[code] = {"appid": appid, "user": user, "issued_at": time.time(), "used": False}
            if issued is None or issued["appid"] != appid:
                return _error(40029, "invalid code")
            if issued["used"]:
                return _error(40163, "code been used")
            issued["used"] = True
        return _ok({
            "session_key": secrets.token_urlsafe(18)[:24], "openid": _id("o", f"{appid}:{issued['user']}"),
            "unionid": _id("o", f"union:{issued['user']}"),
        })  # fmt: skip
