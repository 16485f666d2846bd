"""A shop's payout account: where its live advances are paid, with its onboarding state.

Entered by a platform admin (pending), then verified: a Stripe Connect account by asking
Stripe (it must exist and have payouts enabled); an Alipay or WeChat Pay profit-sharing
receiver by a platform admin who checked the binding at the provider, with the evidence
recorded. A changed account is pending again. No live payout goes to an account that is
not verified (pawpact.platform.funding.settlement).
"""

from __future__ import annotations

import logging
import re

import stripe
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ServiceUnavailable, ValidationFailed
from pawpact.payments.stripe import stripe_client
from pawpact.platform.enums import PayoutAccountKind, PayoutAccountStatus
from pawpact.platform.models import PayoutAccount
from pawpact.tenants.models import Shop

logger = logging.getLogger(__name__)

ACCOUNT_FORMATS = {
    PayoutAccountKind.STRIPE_CONNECT: (
        r"acct_[0-9A-Za-z]{8,40}",
        _("A Stripe connected account id starts with acct_."),
    ),
    PayoutAccountKind.ALIPAY_RECEIVER: (r"2088\d{12}", _("An Alipay user id is 2088 followed by 12 digits.")),
    PayoutAccountKind.WECHAT_RECEIVER: (r"\d{8,12}", _("A WeChat Pay merchant id is 8 to 12 digits.")),
}


def payout_account_set(*, shop: Shop, kind: str, account_ref: str, holder_name: str, actor: User,
                       clock: Clock = default_clock) -> PayoutAccount:  # fmt: skip
    """Record where the shop is paid; pending until verified. Bad input writes nothing."""
    account_ref, holder_name = (account_ref or "").strip(), (holder_name or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in ACCOUNT_FORMATS:
        errors["kind"] = [_("Choose a kind of payout account.")]
    elif not re.fullmatch(ACCOUNT_FORMATS[kind][0], account_ref):
        errors["account_ref"] = [ACCOUNT_FORMATS[kind][1]]
    if not holder_name or len(holder_name) > 120:
        errors["holder_name"] = [_("Enter the account holder's name (at most 120 characters).")]
    if errors or shop.is_platform:
        raise ValidationFailed(_("The payout account cannot be saved."), fields=errors or {"shop": [_("Not a shop.")]})
    with transaction.atomic():
        account, _created = PayoutAccount.objects.select_for_update().update_or_create(
            shop=shop,
            defaults={"kind": kind, "account_ref": account_ref, "holder_name": holder_name,
                      "status": PayoutAccountStatus.PENDING, "verified_at": None, "verified_by": None,
                      "note": "", "updated_at": clock.now()},
        )  # fmt: skip
    logger.info("payout account of shop %s set to %s %s by %s", shop.slug, kind, account_ref, actor)
    return account


def payout_account_verify(*, shop: Shop, actor: User, evidence: str = "", client: stripe.StripeClient | None = None,
                          clock: Clock = default_clock) -> PayoutAccount:  # fmt: skip
    """Verify the shop's payout account: with Stripe for a connected account; for a
    profit-sharing receiver, the admin's evidence (what they checked at the provider)."""
    account = PayoutAccount.objects.filter(shop=shop).first()
    if account is None:
        raise ValidationFailed(
            _("The shop has no payout account yet."), fields={"account_ref": [_("Enter one first.")]}
        )
    if account.kind == PayoutAccountKind.STRIPE_CONNECT:
        status, note = _stripe_account_state(account.account_ref, client=client)
    else:
        evidence = (evidence or "").strip()
        if not evidence:
            raise ValidationFailed(
                _("Say what you checked at the provider (the receiver binding, its reference)."),
                fields={"evidence": [_("Required for a profit-sharing receiver.")]},
            )
        status, note = PayoutAccountStatus.VERIFIED, evidence[:1000]
    verified = status == PayoutAccountStatus.VERIFIED
    PayoutAccount.objects.filter(pk=account.pk).update(
        status=status, note=note, verified_at=clock.now() if verified else None, verified_by=actor if verified else None
    )
    account.refresh_from_db()
    return account


def _stripe_account_state(account_ref: str, *, client: stripe.StripeClient | None) -> tuple[str, str]:
    try:
        data = (client or stripe_client()).v1.accounts.retrieve(account_ref).to_dict()
    except stripe.InvalidRequestError as error:
        return PayoutAccountStatus.REJECTED, f"Stripe: {error.user_message or error.code or 'unknown account'}"
    except stripe.StripeError as error:
        raise ServiceUnavailable(_("Stripe could not be asked; nothing was changed. Try again.")) from error
    if not data.get("payouts_enabled"):
        return PayoutAccountStatus.REJECTED, "Stripe: payouts are not enabled on this account yet"
    return PayoutAccountStatus.VERIFIED, f"Stripe: {data.get('id')} payouts enabled"


def payout_account_verified(*, shop_id: int) -> PayoutAccount | None:
    """The shop's payout account if it is verified (whatever its kind), else None."""
    return PayoutAccount.objects.filter(shop_id=shop_id, status=PayoutAccountStatus.VERIFIED).first()


def payout_account_verified_ref(*, shop_id: int, kind: str) -> str | None:
    """The verified account of that kind to pay the shop into, or None."""
    return (
        PayoutAccount.objects.filter(shop_id=shop_id, kind=kind, status=PayoutAccountStatus.VERIFIED)
        .values_list("account_ref", flat=True)
        .first()
    )
