"""A shop's payout account: where its live advances are paid, with its onboarding state.

Entered by a platform admin (pending), then verified by the provider, never by someone's
word: a Stripe Connect account by asking Stripe (it must exist and have payouts enabled);
an Alipay receiver by binding it as a profit-sharing receiver of the platform's Alipay app
(`alipay.trade.royalty.relation.bind`), which Alipay refuses for an unknown account or a
holder name that does not match the account's real name: the same check Alipay applies to
every transfer after it, made before any money depends on it, and moving none. A WeChat Pay
receiver cannot be paid (WeChat has no transfer to a merchant), so it is not verified.
A changed account is pending again. No live payout goes to an account that is not verified
(pawpact.platform.funding.settlement).
"""

from __future__ import annotations

import logging
import re

import stripe
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import BusinessRuleViolation, ServiceUnavailable, ValidationFailed
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.errors import RailNotConfigured
from pawpact.payments.gateways import gateway_url
from pawpact.payments.stripe import stripe_client
from pawpact.platform.enums import PayoutAccountKind, PayoutAccountStatus
from pawpact.platform.funding import verdicts
from pawpact.platform.models import PartnerPayoutAccount, PayoutAccount
from pawpact.tenants.credentials import Credentials
from pawpact.tenants.enums import Provider
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import platform_livemode

logger = logging.getLogger(__name__)

ACCOUNT_FORMATS = {
    PayoutAccountKind.STRIPE_CONNECT: (
        r"acct_[0-9A-Za-z]{8,40}",
        gettext_lazy("A Stripe connected account id starts with acct_."),
    ),
    # Alipay binds a receiver by its user id or by its login: the account's email or mainland mobile number.
    PayoutAccountKind.ALIPAY_RECEIVER: (
        r"2088\d{12}|1\d{10}|[^@\s]+@[^@\s]+\.[^@\s]+",
        gettext_lazy("Enter the Alipay account: its email or mobile number, or its user id (2088 and 12 digits)."),
    ),
    PayoutAccountKind.WECHAT_RECEIVER: (r"\d{8,12}", gettext_lazy("A WeChat Pay merchant id is 8 to 12 digits.")),
}


# Where a shop's own advances can be paid: WeChat Pay has no transfer to a merchant.
SHOP_ACCOUNT_FORMATS = {kind: rule for kind, rule in ACCOUNT_FORMATS.items() if kind != PayoutAccountKind.WECHAT_RECEIVER}


def shop_account_kinds() -> list[tuple[str, str]]:
    """The kinds of payout account a shop can be given, as (value, label)."""
    return [(value, label) for value, label in PayoutAccountKind.choices if value in SHOP_ACCOUNT_FORMATS]


def account_input_errors(
    *, kind: str, account_ref: str, holder_name: str, kinds=ACCOUNT_FORMATS
) -> dict[str, list[str]]:
    """What is wrong with a payout account as typed (stripped values), field by field."""
    errors: dict[str, list[str]] = {}
    if kind not in kinds:
        errors["kind"] = [_("Choose a kind of payout account.")]
    elif not re.fullmatch(ACCOUNT_FORMATS[kind][0], account_ref):
        errors["account_ref"] = [ACCOUNT_FORMATS[kind][1]]
    if not holder_name or len(holder_name) > 120:
        errors["holder_name"] = [_("Enter the account holder's name (at most 120 characters).")]
    return errors


def payout_account_set(*, shop: Shop, kind: str, account_ref: str, holder_name: str, actor: User,
                       clock: Clock = default_clock) -> PayoutAccount:  # fmt: skip
    """Record where the shop is paid; pending until verified. Bad input writes nothing."""
    account_ref, holder_name = (account_ref or "").strip(), (holder_name or "").strip()
    errors = account_input_errors(kind=kind, account_ref=account_ref, holder_name=holder_name,
                                  kinds=SHOP_ACCOUNT_FORMATS)  # fmt: skip
    if kind == PayoutAccountKind.WECHAT_RECEIVER:
        errors["kind"] = [_("WeChat Pay has no transfer to a merchant, so it cannot pay a shop: choose Stripe or Alipay.")]
    if errors or shop.is_platform:
        raise ValidationFailed(_("The payout account cannot be saved."), fields=errors or {"shop": [_("Not a shop.")]})
    with transaction.atomic():
        account, _created = PayoutAccount.objects.select_for_update().update_or_create(
            shop=shop,
            defaults={"kind": kind, "account_ref": account_ref, "holder_name": holder_name,
                      "status": PayoutAccountStatus.PENDING, "verified_at": None, "verified_by": None,
                      "note": "", "verdict_code": "", "verdict_params": {}, "updated_at": clock.now()},
        )  # fmt: skip
    logger.info("payout account of shop %s set to %s %s by %s", shop.slug, kind, account_ref, actor)
    return account


def provider_verdict(*, kind: str, account_ref: str, holder_name: str, request_key: str,
                     client: stripe.StripeClient | None = None, alipay: AlipayRail | None = None) -> tuple[str, str, dict]:  # fmt: skip
    """The provider's answer on whether an account can be paid: (status, verdict code, its parameters)."""
    if kind == PayoutAccountKind.STRIPE_CONNECT:
        return _stripe_account_state(account_ref, client=client)
    if kind == PayoutAccountKind.ALIPAY_RECEIVER:
        return _alipay_receiver_state(account_ref, holder_name, request_key=request_key, alipay=alipay)
    raise BusinessRuleViolation(
        _("WeChat Pay cannot pay a shop's advances (it has no transfer to a merchant): "
          "give the shop a Stripe or Alipay payout account instead."),
        fields={"kind": [_("Choose Stripe or Alipay.")]},
    )  # fmt: skip


def payout_account_verify(*, shop: Shop, actor: User, client: stripe.StripeClient | None = None,
                          alipay: AlipayRail | None = None, clock: Clock = default_clock) -> PayoutAccount:  # fmt: skip
    """Ask the account's provider whether the shop can be paid there, and record its answer."""
    account = PayoutAccount.objects.filter(shop=shop).first()
    if account is None:
        raise ValidationFailed(
            _("The shop has no payout account yet."), fields={"account_ref": [_("Enter one first.")]}
        )
    status, code, params = provider_verdict(kind=account.kind, account_ref=account.account_ref, holder_name=account.holder_name,
                                    request_key=f"payout-account:{account.pk}:{account.account_ref}",
                                    client=client, alipay=alipay)  # fmt: skip
    verified = status == PayoutAccountStatus.VERIFIED
    PayoutAccount.objects.filter(pk=account.pk).update(
        status=status, note="", verdict_code=code, verdict_params=params,
        verified_at=clock.now() if verified else None, verified_by=actor if verified else None,
    )
    account.refresh_from_db()
    return account


def platform_alipay_rail() -> AlipayRail:
    """The platform's own Alipay app (settings.PAWPACT_PLATFORM_ALIPAY, from the environment)."""
    app = settings.PAWPACT_PLATFORM_ALIPAY
    if not app.get("app_id"):
        raise RailNotConfigured(
            _("Alipay is not set up on this platform yet, so an Alipay account can be neither checked nor paid.")
        )
    livemode = platform_livemode()
    credentials = Credentials(
        id=0, shop_id=0, provider=Provider.ALIPAY, livemode=livemode, version="platform", config={"app_id": app["app_id"]},
        secrets={"app_private_key": app["app_private_key"], "alipay_public_key": app["alipay_public_key"]},
    )  # fmt: skip
    return AlipayRail(credentials=credentials, gateway=gateway_url(Provider.ALIPAY, livemode=livemode))


def _alipay_receiver_state(account_ref: str, holder_name: str, *, request_key: str,
                           alipay: AlipayRail | None) -> tuple[str, str, dict]:  # fmt: skip
    reason = (alipay or platform_alipay_rail()).royalty_receiver_bind(
        user_id=account_ref, name=holder_name, request_key=request_key
    )
    if reason:
        return PayoutAccountStatus.REJECTED, verdicts.ALIPAY_REFUSED, {"reason": reason[:120]}
    return PayoutAccountStatus.VERIFIED, verdicts.ALIPAY_BOUND, {"account": account_ref, "name": holder_name}


def _stripe_account_state(account_ref: str, *, client: stripe.StripeClient | None) -> tuple[str, str, dict]:
    try:
        data = (client or stripe_client()).v1.accounts.retrieve(account_ref).to_dict()
    except RailNotConfigured:
        raise RailNotConfigured(
            _("Stripe is not set up on this platform yet, so a Stripe account cannot be checked. "
              "Use an Alipay payout account, or connect Stripe to the platform first.")
        ) from None  # fmt: skip
    except stripe.InvalidRequestError as error:
        return PayoutAccountStatus.REJECTED, verdicts.STRIPE_REFUSED, {"reason": str(error.code or "")[:120]}
    except stripe.StripeError as error:
        raise ServiceUnavailable(_("Stripe could not be asked; nothing was changed. Try again.")) from error
    if not data.get("payouts_enabled"):
        return PayoutAccountStatus.REJECTED, verdicts.STRIPE_NO_PAYOUTS, {}
    return PayoutAccountStatus.VERIFIED, verdicts.STRIPE_READY, {"account": str(data.get("id") or account_ref)}


def payout_account_verified(*, shop_id: int) -> PayoutAccount | None:
    """The shop's payout account if it is verified (whatever its kind), else None."""
    return PayoutAccount.objects.filter(shop_id=shop_id, status=PayoutAccountStatus.VERIFIED).first()


def partner_account_verified(*, partner_id: int) -> PartnerPayoutAccount | None:
    """The partner's payout account if the provider verified it (Stripe or Alipay), else None."""
    return PartnerPayoutAccount.objects.filter(partner_id=partner_id, status=PayoutAccountStatus.VERIFIED).first()


def payout_account_verified_ref(*, shop_id: int, kind: str) -> str | None:
    """The verified account of that kind to pay the shop into, or None."""
    return (
        PayoutAccount.objects.filter(shop_id=shop_id, kind=kind, status=PayoutAccountStatus.VERIFIED)
        .values_list("account_ref", flat=True)
        .first()
    )
