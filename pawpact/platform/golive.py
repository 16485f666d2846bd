"""Switching a shop between test and live mode: a console action, with checks.

A shop goes live only when everything live money needs is in place and proven:
- the platform itself runs in live mode (a test platform keeps pretend books only);
- the shop is open;
- it has verified live credentials for a debit rail (Alipay or WeChat Pay), for SMS
  (Aliyun), for email (its ESP) and for credit scores (Zhima), each accepted by the
  provider when asked (`credential_verify`);
- its payout account is verified.
Back to test mode needs no check; contracts keep the mode they were signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.gateways import adapters_forget, gateway_url
from pawpact.payments.wechat import WechatRail
from pawpact.payments.wechat_miniprogram import MiniProgram
from pawpact.payments.zhima import ZhimaCredit
from pawpact.platform.models import PayoutAccount
from pawpact.tenants.credentials import credential_get, credential_verification_record
from pawpact.tenants.enums import Provider, ShopMode
from pawpact.tenants.errors import CredentialsInvalid, LiveModeNotReady
from pawpact.tenants.models import Shop, ShopCredential
from pawpact.tenants.modes import platform_livemode
from pawpact.tenants.ports import shop_side
from pawpact.tenants.services import shop_mode_change

DEBIT_PROVIDERS = (Provider.ALIPAY, Provider.WECHAT)
VERIFIERS = {
    Provider.ALIPAY: lambda creds, live: AlipayRail(credentials=creds, gateway=gateway_url(Provider.ALIPAY, livemode=live)),
    Provider.WECHAT: lambda creds, live: WechatRail(credentials=creds, gateway=gateway_url(Provider.WECHAT, livemode=live)),
    Provider.ZHIMA: lambda creds, live: ZhimaCredit(credentials=creds, gateway=gateway_url(Provider.ZHIMA, livemode=live)),
    Provider.MINIPROGRAM: lambda creds, live: MiniProgram(
        credentials=creds, gateway=gateway_url(Provider.MINIPROGRAM, livemode=live)),
}  # fmt: skip
MESSAGING_PROVIDERS = (Provider.ALIYUN_SMS, Provider.EMAIL)


# The platform's own mode is where it is deployed, not a console switch: a test platform
# keeps pretend books (pawpact.tenants.modes.platform_livemode), so no shop may go live on it.
PLATFORM_MODE_HELP = gettext_lazy(
    "This platform itself runs in test mode, so no shop can take real money on it yet. The platform's mode "
    "is not switched on this page: it comes with how the platform is deployed. Whoever runs the servers "
    "deploys it with the production settings (the Docker image's default), which always run in live mode; "
    "a laptop started with ./dev run stays in test mode. The operations guide, section “Live mode”, lists "
    "what live mode needs."
)


@dataclass(frozen=True)
class Check:
    key: str
    passed: bool
    label: str
    help: str = ""
    missing: str = ""  # how the refusal names it when it fails, where the label reads as a fact

    @property
    def missing_text(self) -> str:
        return self.missing or self.label


def credential_verify(*, shop: Shop, provider: str, livemode: bool, clock: Clock = default_clock) -> ShopCredential:
    """Ask the provider whether the shop's credentials work, and record its answer."""
    credentials = credential_get(shop_id=shop.pk, provider=provider, livemode=livemode, verified=False)
    build = VERIFIERS.get(provider)
    if provider in MESSAGING_PROVIDERS:
        # SMS and email adapters belong to the shops' messaging: asked through the port.
        error = shop_side().messaging_credentials_check(credentials=credentials, livemode=livemode)
    elif build is None:
        raise CredentialsInvalid(_("These credentials cannot be checked automatically yet."))
    else:
        try:
            build(credentials, livemode).verify()
            error = ""
        except DomainError as refused:
            error = refused.message
    credential_verification_record(credential_id=credentials.id, error=error, clock=clock)
    adapters_forget()
    return ShopCredential.objects.get(pk=credentials.id)


def _verified(shop: Shop, providers: tuple[str, ...]) -> bool:
    return ShopCredential.objects.filter(
        shop=shop, provider__in=providers, livemode=True, verified_at__isnull=False
    ).exists()


def go_live_checks(shop: Shop) -> list[Check]:
    account = PayoutAccount.objects.filter(shop=shop).first()
    return [
        Check("platform", platform_livemode(), _("The platform runs in live mode"), str(PLATFORM_MODE_HELP),
              missing=_("The platform itself is in test mode")),
        Check("shop", shop.is_ready, _("The shop is open"), missing=_("The shop is not open yet")),
        Check("debit_rail", _verified(shop, DEBIT_PROVIDERS), _("Verified live Alipay or WeChat Pay credentials")),
        Check("sms", _verified(shop, (Provider.ALIYUN_SMS,)), _("Verified live SMS credentials")),
        Check("email", _verified(shop, (Provider.EMAIL,)), _("Verified live email credentials")),
        Check("credit", _verified(shop, (Provider.ZHIMA,)), _("Verified live Zhima credit credentials")),
        Check("payout_account", bool(account and account.is_verified), _("A verified payout account")),
    ]


def shop_go_live(*, shop: Shop, actor: User, reason: str = "", clock: Clock = default_clock) -> Shop:
    """Put the shop in live mode if every check passes; else LiveModeNotReady naming the missing ones."""
    failed = [check for check in go_live_checks(shop) if not check.passed]
    if failed:
        raise LiveModeNotReady(
            _("The shop cannot go live yet. Missing: %(what)s.") % {"what": _("; ").join(c.missing_text for c in failed)},
            fields={check.key: [check.missing_text] for check in failed},
        )
    shop = shop_mode_change(shop=shop, mode=ShopMode.LIVE, actor=actor, reason=reason, clock=clock)
    adapters_forget()
    return shop


def shop_back_to_test(*, shop: Shop, actor: User, reason: str = "", clock: Clock = default_clock) -> Shop:
    return shop_mode_change(shop=shop, mode=ShopMode.TEST, actor=actor, reason=reason, clock=clock)
