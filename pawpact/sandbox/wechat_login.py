"""A local stand-in for WeChat's `jscode2session`, for shops in test mode without a mini-program
of their own (with one, its test gateway answers: pawpact.api.wechat).

A mini-program calls `wx.login()` and gets a one-time `code`; the server exchanges it for
the user's `openid`. In the sandbox a code is `wx_test_<anything>`: the same suffix always
gives the same openid (so one test user stays one WeChat user), each code works once, as
WeChat's do, and `wx_test_invalid` (or any other code) is refused.
"""
from __future__ import annotations

import hashlib

from django.core.cache import cache

SANDBOX_CODE_PREFIX = "wx_test_"
SANDBOX_REFUSED_CODE = "wx_test_invalid"
USED_CODE_SECONDS = 300


class WeChatSandboxRefused(Exception):
    """The sandbox refused the code, as WeChat answers errcode 40029."""


def sandbox_code2session(*, code: str, appid: str) -> dict:
    """{"openid", "unionid"} for a sandbox code; WeChatSandboxRefused otherwise."""
    if not code.startswith(SANDBOX_CODE_PREFIX) or code == SANDBOX_REFUSED_CODE:
        raise WeChatSandboxRefused(code)
    if not cache.add(f"sandbox:wechat-code:{appid}:{code}", 1, USED_CODE_SECONDS):
        raise WeChatSandboxRefused(code)
    suffix = code[len(SANDBOX_CODE_PREFIX):].split(".", 1)[0]
    openid = "o_sandbox_" + hashlib.sha256(f"{appid}:{suffix}".encode()).hexdigest()[:18]
    return {"openid": openid, "unionid": ""}
