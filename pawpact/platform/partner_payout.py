"""A service partner's payout account: where the platform pays the partner its cleared plan
entitlements in live mode, entered by the partner in its portal or by a platform admin in the
console, and verified by the provider exactly like a shop's (pawpact.platform.funding.
payout_accounts): a Stripe connected account must exist with payouts enabled, an Alipay
receiver must be bound under its holder's real name by alipay.trade.royalty.relation.bind.

Only Stripe and Alipay are offered: WeChat Pay has no transfer to a merchant, so a partner
could never be paid there. A changed account is pending again; the moment an account is
verified, the payments held for want of one are paid (each once: its key is the payment's).
"""

from __future__ import annotations

import logging

import stripe
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError, ValidationFailed
from pawpact.partners.enums import PaymentStatus
from pawpact.partners.models import Partner, PartnerPayment
from pawpact.payments.alipay import AlipayRail
from pawpact.platform.enums import PayoutAccountKind, PayoutAccountStatus
from pawpact.platform.funding.payout_accounts import account_input_errors, provider_verdict
from pawpact.platform.funding.payout_rails import PayoutRail
from pawpact.platform.models import PartnerPayoutAccount
from pawpact.platform.partner_clearing import partner_payments_release

logger = logging.getLogger(__name__)

PARTNER_ACCOUNT_KINDS = (PayoutAccountKind.STRIPE_CONNECT, PayoutAccountKind.ALIPAY_RECEIVER)


def partner_account_kinds() -> list[tuple[str, str]]:
    return [(value, label) for value, label in PayoutAccountKind.choices if value in PARTNER_ACCOUNT_KINDS]


def partner_payout_account_of(*, partner_id: int) -> PartnerPayoutAccount | None:
    return PartnerPayoutAccount.objects.filter(partner_id=partner_id).first()


def payments_held(*, partner_id: int) -> dict:
    """How many of the partner's payments wait for a verified account, and their total."""
    return PartnerPayment.objects.filter(partner_id=partner_id, status=PaymentStatus.HELD).aggregate(
        count=Count("id"), total=Sum("amount_minor")
    )


def partner_payout_account_set(*, partner: Partner, kind: str, account_ref: str, holder_name: str,
                               clock: Clock = default_clock) -> PartnerPayoutAccount:  # fmt: skip
    """Record where the partner is paid, pending until verified; the same account again
    changes nothing (a verified one stays verified). Bad input writes nothing."""
    account_ref, holder_name = (account_ref or "").strip(), (holder_name or "").strip()
    errors = account_input_errors(kind=kind, account_ref=account_ref, holder_name=holder_name,
                                  kinds=PARTNER_ACCOUNT_KINDS)  # fmt: skip
    if kind == PayoutAccountKind.WECHAT_RECEIVER:
        errors["kind"] = [
            _("WeChat Pay has no transfer to a merchant, so it cannot pay a partner: choose Stripe or Alipay.")
        ]
    if errors:
        raise ValidationFailed(_("The payout account cannot be saved."), fields=errors)
    with transaction.atomic():
        current = PartnerPayoutAccount.objects.select_for_update().filter(partner=partner).first()
        if current is not None and (current.kind, current.account_ref, current.holder_name) == (
            kind, account_ref, holder_name,
        ):  # fmt: skip
            return current
        account, _created = PartnerPayoutAccount.objects.update_or_create(
            partner=partner,
            defaults={"kind": kind, "account_ref": account_ref, "holder_name": holder_name, "note": "", "verdict_code": "", "verdict_params": {},
                      "status": PayoutAccountStatus.PENDING, "verified_at": None, "updated_at": clock.now()},
        )  # fmt: skip
    logger.info("payout account of partner %s set to %s %s", partner.pk, kind, account_ref)
    return account


def partner_payout_account_verify(
    *, partner: Partner, client: stripe.StripeClient | None = None, alipay: AlipayRail | None = None,
    rail: PayoutRail | None = None, clock: Clock = default_clock,
) -> PartnerPayoutAccount:  # fmt: skip
    """Ask the provider whether the partner can be paid there and record its answer; once
    verified, pay what was held for want of an account."""
    account = partner_payout_account_of(partner_id=partner.pk)
    if account is None:
        raise ValidationFailed(_("There is no payout account yet."), fields={"account_ref": [_("Enter one first.")]})
    status, code, params = provider_verdict(
        kind=account.kind, account_ref=account.account_ref, holder_name=account.holder_name,
        request_key=f"partner-payout-account:{account.pk}:{account.account_ref}", client=client, alipay=alipay,
    )  # fmt: skip
    verified = status == PayoutAccountStatus.VERIFIED
    PartnerPayoutAccount.objects.filter(pk=account.pk, account_ref=account.account_ref).update(
        status=status, note="", verdict_code=code, verdict_params=params, verified_at=clock.now() if verified else None
    )
    account.refresh_from_db()
    if account.is_verified:
        try:
            partner_payments_release(partner_id=partner.pk, clock=clock, rail=rail)
        except DomainError:
            # The account stays verified; the daily clearing run pays what is still held.
            logger.exception("held payments of partner %s not released", partner.pk)
    return account
