"""WeChat mini-program login: a `wx.login()` code exchanged for the user's openid.

The shop's own mini-program answers, with the app id and AppSecret a platform admin entered and
verified in the console (a shop credential, pawpact.payments.wechat_miniprogram), in the shop's
mode: live credentials at WeChat, test ones at the test gateway (./dev run's fake WeChat).
A shop in test mode without mini-program credentials uses the sandbox
(`pawpact.sandbox.wechat_login`, `wx_test_…` codes), as its credit checks use the sandbox
without Zhima credentials; live mode never does, and refuses sandbox codes before asking anyone.
The session key WeChat returns is not kept: the API signs the user in with its own device tokens.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from pawpact.accounts.errors import WeChatCodeInvalid, WeChatUnavailable
from pawpact.payments.errors import RailNotConfigured
from pawpact.payments.wechat_miniprogram import MiniProgram
from pawpact.sandbox.wechat_login import SANDBOX_CODE_PREFIX, WeChatSandboxRefused, sandbox_code2session
from pawpact.tenants.enums import ShopMode
from pawpact.tenants.errors import CredentialsMissing
from pawpact.tenants.modes import current_shop, sandbox_refuse_in_live


def code2session(*, code: str) -> dict:
    """The WeChat user ({"openid", "unionid"}) behind a mini-program login code, at the current shop."""
    shop = current_shop()
    if shop is None:
        raise WeChatUnavailable(_("WeChat login is for a shop's mini-program."))
    livemode = shop.mode == ShopMode.LIVE
    if code.startswith(SANDBOX_CODE_PREFIX):
        sandbox_refuse_in_live(provider=_("The sandbox WeChat login (wx_test_ codes)"), livemode=livemode)
    try:
        mini_program = MiniProgram.for_current_shop(livemode=livemode)
    except (CredentialsMissing, RailNotConfigured):
        if livemode:
            raise WeChatUnavailable(_("WeChat login is not set up for this shop.")) from None
        try:
            return sandbox_code2session(code=code, appid=f"sandbox-{shop.slug}")
        except WeChatSandboxRefused:
            raise WeChatCodeInvalid(_("WeChat refused this login code; call wx.login() again.")) from None
    return mini_program.code2session(code=code)
