"""A shop's WeChat mini-program at WeChat's server API (api.weixin.qq.com), with its own app id and AppSecret.

- `code2session`: GET /sns/jscode2session — the WeChat user (openid, unionid) behind the
  one-time code of `wx.login()`. WeChat takes the AppSecret in the query string, so request
  URLs are never logged here.
- `verify`: POST /cgi-bin/stable_token (client_credential, force_refresh false) — WeChat's own
  check of the app id and AppSecret. The stable token rather than GET /cgi-bin/token: a new
  /cgi-bin/token retires the one the shop's other servers hold, a stable token does not.
Two JSON calls need no WeChat SDK (wechatpy's last release is from 2021). They go through the
standard library's urllib rather than requests: urllib3 logs each request line, query string and
so the AppSecret included, at DEBUG level; urllib logs nothing.
Like Zhima's, this adapter lives with the payment adapters: the provider-facing code of the
Chinese platforms, with their gateways per mode (pawpact.payments.gateways).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.accounts.errors import WeChatCodeInvalid, WeChatUnavailable
from pawpact.payments.errors import ProviderRefused
from pawpact.payments.gateways import adapter_for_current_shop, gateway_url
from pawpact.tenants.credentials import Credentials
from pawpact.tenants.enums import Provider

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5
# WeChat refuses the code itself: invalid or expired, used already, a user its risk control blocks.
CODE_REFUSED = frozenset({40029, 40163, 40226})
_SECRET_WRONG = gettext_lazy("WeChat says the AppSecret is wrong, or belongs to another mini-program.")
_IP_REFUSED = gettext_lazy(
    "WeChat refuses calls from this server's IP address: add it to the IP whitelist in the mini-program's "
    "admin console (开发管理 → 开发设置)."
)
# WeChat's reasons (its errcodes) in plain words, for the admin who entered the credentials.
VERIFY_REASONS = {
    40001: _SECRET_WRONG,
    40125: _SECRET_WRONG,
    41004: _SECRET_WRONG,
    40013: gettext_lazy("WeChat knows no mini-program with this app id."),
    40164: _IP_REFUSED,
    89503: _IP_REFUSED,
    40243: gettext_lazy("WeChat has frozen this AppSecret: reset it in the mini-program's admin console."),
    -1: gettext_lazy("WeChat is busy; verify again in a moment."),
    45009: gettext_lazy("The mini-program used up WeChat's daily call quota; verify again tomorrow."),
    45011: gettext_lazy("WeChat's call limit was reached; verify again in a minute."),
}


class _NoAnswer(Exception):
    pass


class MiniProgram:
    def __init__(self, *, credentials: Credentials, gateway: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.credentials = credentials
        self.gateway = gateway.rstrip("/")
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"<MiniProgram {self.appid} at {self.gateway}>"

    @classmethod
    def for_current_shop(cls, *, livemode: bool) -> MiniProgram:
        """The current shop's mini-program in that mode; CredentialsMissing without verified
        credentials, RailNotConfigured without a gateway for the mode."""
        gateway = gateway_url(Provider.MINIPROGRAM, livemode=livemode)
        return adapter_for_current_shop(
            Provider.MINIPROGRAM, livemode=livemode, build=lambda creds, _url: cls(credentials=creds, gateway=gateway)
        )

    @property
    def appid(self) -> str:
        return self.credentials.config["appid"]

    def _call(self, path: str, *, query: dict | None = None, body: dict | None = None) -> dict:
        url = f"{self.gateway}{path}" + (f"?{urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
        try:
            with urlopen(request, timeout=self._timeout) as response:
                answer = json.loads(response.read())
        except (OSError, ValueError) as error:
            # The exception's text may hold the URL, and so the secret: only its kind is logged.
            raise _NoAnswer(type(error).__name__) from None
        if not isinstance(answer, dict):
            raise _NoAnswer("unreadable answer")
        return answer

    def code2session(self, *, code: str) -> dict:
        """{"openid", "unionid"} of the WeChat user who got `code` from wx.login(); the catalogue's errors else."""
        params = {"appid": self.appid, "secret": self.credentials.secrets["app_secret"], "js_code": code,
                  "grant_type": "authorization_code"}  # fmt: skip
        try:
            answer = self._call("/sns/jscode2session", query=params)
        except _NoAnswer as error:
            logger.warning("wechat jscode2session of %s unanswered: %s", self.appid, error)
            raise WeChatUnavailable(_("WeChat did not answer; try again in a moment.")) from None
        errcode = int(answer.get("errcode") or 0)
        if errcode in CODE_REFUSED:
            raise WeChatCodeInvalid(_("WeChat refused this login code; call wx.login() again."))
        if errcode or not answer.get("openid"):
            logger.warning("wechat jscode2session of %s refused: errcode %s", self.appid, errcode)
            if errcode == 45011:
                raise WeChatUnavailable(_("WeChat is limiting logins for this user; try again in a minute."))
            raise WeChatUnavailable(_("WeChat login is unavailable for this shop; try again later."))
        return {"openid": str(answer["openid"]), "unionid": str(answer.get("unionid") or "")}

    def verify(self) -> None:
        """Prove the app id and AppSecret work: WeChat issues an access token for them."""
        body = {"grant_type": "client_credential", "appid": self.appid,
                "secret": self.credentials.secrets["app_secret"], "force_refresh": False}  # fmt: skip
        try:
            answer = self._call("/cgi-bin/stable_token", body=body)
        except _NoAnswer:
            raise ProviderRefused(_("WeChat did not answer; verify again in a moment.")) from None
        errcode = int(answer.get("errcode") or 0)
        if errcode or not answer.get("access_token"):
            reason = VERIFY_REASONS.get(errcode)
            if reason is None:
                reason = _("WeChat refused the credentials (error %(errcode)s: %(errmsg)s).") % {
                    "errcode": errcode, "errmsg": str(answer.get("errmsg", ""))[:200]}  # fmt: skip
            raise ProviderRefused(str(reason))
