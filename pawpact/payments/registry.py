"""The adapter that charges each rail, in the mode of the record it charges for.

A sandbox rail serves test-mode records only; Stripe serves the mode its key belongs to;
Alipay and WeChat are reached with the current shop's verified credentials of that mode
(test credentials talk to the provider's own sandbox gateway).
"""
from django.utils.translation import gettext as _

from pawpact.core.errors import DomainError
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.base import PaymentRail
from pawpact.payments.enums import Rail
from pawpact.payments.policies import policy_for
from pawpact.payments.sandbox import SandboxRail
from pawpact.payments.stripe import StripeRail
from pawpact.payments.wechat import WechatRail
from pawpact.tenants.modes import sandbox_refuse_in_live


def rail_for(rail: str, *, livemode: bool) -> PaymentRail:
    if rail == Rail.SANDBOX:
        sandbox_refuse_in_live(provider=_("The sandbox payment rail"), livemode=livemode)
        return SandboxRail()
    if rail == Rail.STRIPE:
        return StripeRail(livemode=livemode)
    if rail == Rail.ALIPAY:
        return AlipayRail.for_current_shop(livemode=livemode)
    if rail == Rail.WECHAT:
        return WechatRail.for_current_shop(livemode=livemode)
    policy_for(rail)  # an unknown rail raises UnknownRail
    raise AssertionError(f"rail {rail!r} has a policy but no adapter")


def rail_ready(rail: str, *, livemode: bool) -> bool:
    """Whether `rail` can charge here in that mode (sandbox only in test mode; Stripe needs its
    key; Alipay and WeChat the shop's verified credentials). Periods on a rail that is not
    ready wait instead of leaving attempts nobody can finish."""
    try:
        rail_for(rail, livemode=livemode)
    except DomainError:
        return False
    return True
