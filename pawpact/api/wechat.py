"""WeChat mini-program login: a `wx.login()` code exchanged for the user's openid.

A shop in test mode talks to the local sandbox (`pawpact.sandbox.wechat_login`), never to
WeChat; a live shop calls WeChat's `jscode2session` with its mini-program's app id and
secret (deployment settings `PAWPACT_WECHAT_MINIPROGRAMS`, by shop slug). The session key
WeChat returns is not kept: the API signs the user in with its own device tokens.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import urlencode
from urllib.request import urlopen

from django.conf import settings
from django.utils.translation import gettext as _

from pawpact.accounts.errors import WeChatCodeInvalid, WeChatUnavailable
from pawpact.sandbox.wechat_login import WeChatSandboxRefused, sandbox_code2session
from pawpact.tenants.enums import ShopMode
from pawpact.tenants.modes import current_shop

logger = logging.getLogger(__name__)
CODE2SESSION_URL = "https://api.weixin.qq.com/sns/jscode2session"
TIMEOUT_SECONDS = 5
Transport = Callable[[str], bytes]


def _fetch(url: str) -> bytes:
    with urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
        return answer.read()


def live_code2session(*, code: str, appid: str, secret: str, transport: Transport = _fetch) -> dict:
    """WeChat's answer for a code: {"openid", "unionid"}; its errors as the catalogue's codes."""
    query = urlencode({"appid": appid, "secret": secret, "js_code": code, "grant_type": "authorization_code"})
    try:
        answer = json.loads(transport(f"{CODE2SESSION_URL}?{query}"))
    except (OSError, ValueError):
        logger.warning("wechat code2session unreachable", exc_info=True)
        raise WeChatUnavailable(_("WeChat did not answer; try again in a moment.")) from None
    errcode = answer.get("errcode") or 0
    if errcode in (40029, 40163, 40226):  # invalid, already used, blocked user
        raise WeChatCodeInvalid(_("WeChat refused this login code; call wx.login() again."))
    if errcode or not answer.get("openid"):
        logger.warning("wechat code2session error %s", errcode)
        raise WeChatUnavailable(_("WeChat login is unavailable for this shop; try again later."))
    return {"openid": answer["openid"], "unionid": answer.get("unionid", "")}


def code2session(*, code: str, transport: Transport = _fetch) -> dict:
    """The WeChat user behind a mini-program login code, at the current shop."""
    shop = current_shop()
    if shop is None:
        raise WeChatUnavailable(_("WeChat login is for a shop's mini-program."))
    if shop.mode != ShopMode.LIVE:
        try:
            return sandbox_code2session(code=code, appid=f"sandbox-{shop.slug}")
        except WeChatSandboxRefused:
            raise WeChatCodeInvalid(_("WeChat refused this login code; call wx.login() again.")) from None
    app = settings.PAWPACT_WECHAT_MINIPROGRAMS.get(shop.slug)
    if not app:
        raise WeChatUnavailable(_("WeChat login is not set up for this shop."))
    return live_code2session(code=code, appid=app["appid"], secret=app["secret"], transport=transport)
