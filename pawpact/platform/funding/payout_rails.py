"""Payout rails: how the platform pays a shop's payout, one transfer per payout.

Every transfer carries the payout's idempotency key ("payout:<id>"), so a retry after an
unknown outcome is the same transfer at the provider, never a second payment.

- `SandboxPayoutRail` (test mode only) pays at once, locally.
- `StripeConnectPayoutRail` transfers to the shop's verified Stripe connected account.
- `AccountPayoutRail` pays each shop into its own verified payout account, by its kind:
  Stripe Connect, or an Alipay account by `alipay.fund.trans.uni.transfer` from the
  platform's Alipay app. WeChat Pay has no transfer to a merchant (its 分账 only splits a
  trade the platform collected), so a shop paid by WeChat is refused with that reason.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from pawpact.core.money import Money
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.stripe import stripe_client, stripe_key_mode_check
from pawpact.platform.enums import PayoutAccountKind
from pawpact.platform.funding.payout_accounts import (
    partner_account_verified,
    payout_account_verified,
    payout_account_verified_ref,
    platform_alipay_rail,
)
from pawpact.tenants.modes import platform_livemode, sandbox_refuse_in_live


def payout_key(payout_id: int) -> str:
    return f"payout:{payout_id}"


@dataclass(frozen=True)
class PayoutOrder:
    """What a rail needs to pay a payout."""

    payout_id: int
    shop_id: int
    shop_slug: str
    settlement_date: date
    amount: Money

    @property
    def idempotency_key(self) -> str:
        return payout_key(self.payout_id)


@dataclass(frozen=True)
class TransferResult:
    succeeded: bool
    reference: str = ""
    error: str = ""
    is_unknown: bool = False  # the rail did not answer: retry later with the same key
    held: bool = False  # nowhere verified to pay yet: nothing was sent; pay once there is


@dataclass(frozen=True)
class PartnerTransferOrder:
    """A month of redeemed entitlements the platform pays a service partner."""

    payment_id: int
    partner_id: int
    partner_name: str
    month: date
    amount: Money

    @property
    def idempotency_key(self) -> str:
        return f"partner.payment:{self.payment_id}"


class PayoutRail(Protocol):
    name: str

    def transfer(self, order: PayoutOrder) -> TransferResult: ...


class SandboxPayoutRail:
    """Pays at once, locally. The reference is derived from the idempotency key, so a
    repeated transfer answers the first reference, like a real rail."""

    name = "sandbox"

    def transfer(self, order: PayoutOrder | PartnerTransferOrder) -> TransferResult:
        digest = hashlib.sha256(order.idempotency_key.encode()).hexdigest()[:24]
        return TransferResult(succeeded=True, reference=f"sbx_tr_{digest}")


def stripe_destination_verified(order: PayoutOrder) -> str | None:
    """The shop's verified Stripe Connect payout account (pawpact.platform.funding.payout_accounts)."""
    return payout_account_verified_ref(shop_id=order.shop_id, kind=PayoutAccountKind.STRIPE_CONNECT)


class StripeConnectPayoutRail:
    """A Stripe Connect transfer to the shop's connected account, one per payout,
    with the idempotency key "payout:<id>"."""

    name = "stripe"

    def __init__(
        self,
        *,
        client: stripe.StripeClient | None = None,
        destination_for: Callable[[PayoutOrder], str | None] = stripe_destination_verified,
    ) -> None:
        self._client = client or stripe_client()
        self._destination_for = destination_for

    def transfer(self, order: PayoutOrder) -> TransferResult:
        destination = self._destination_for(order)
        if not destination:
            return TransferResult(
                succeeded=False, error=f"shop {order.shop_slug} has no verified Stripe Connect payout account"
            )
        params = {
            "amount": order.amount.amount_minor,
            "currency": order.amount.currency.lower(),
            "destination": destination,
            "transfer_group": f"payout-{order.payout_id}",
            "description": f"Pawpact settlement {order.settlement_date.isoformat()}",
            "metadata": {
                "payout_id": str(order.payout_id),
                "shop_id": str(order.shop_id),
                "settlement_date": order.settlement_date.isoformat(),
            },
        }
        return stripe_transfer(self._client, params, idempotency_key=order.idempotency_key)


def stripe_transfer(client: stripe.StripeClient, params: dict, *, idempotency_key: str) -> TransferResult:
    try:
        transfer = client.v1.transfers.create(params, {"idempotency_key": idempotency_key})
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        return TransferResult(succeeded=False, error=str(error)[:200], is_unknown=True)
    except stripe.StripeError as error:
        return TransferResult(succeeded=False, error=str(error)[:200])
    return TransferResult(succeeded=True, reference=transfer["id"])


class AccountPayoutRail:
    """Each shop paid into its own verified payout account, by the account's kind."""

    name = "accounts"

    def __init__(self, *, stripe_rail: PayoutRail | None = None, alipay: AlipayRail | None = None) -> None:
        self._stripe_rail, self._alipay = stripe_rail, alipay
        self._destinations: dict[int, str] = {}

    def transfer(self, order: PayoutOrder) -> TransferResult:
        account = payout_account_verified(shop_id=order.shop_id)
        if account is None:
            return TransferResult(succeeded=False, error=f"shop {order.shop_slug} has no verified payout account")
        if account.kind == PayoutAccountKind.STRIPE_CONNECT:
            self._destinations[order.payout_id] = account.account_ref
            return self._stripe().transfer(order)
        if account.kind == PayoutAccountKind.ALIPAY_RECEIVER:
            outcome = self._alipay_rail().fund_transfer(
                payee_user_id=account.account_ref, payee_name=account.holder_name, amount=order.amount,
                idempotency_key=order.idempotency_key, title=f"Pawpact settlement {order.settlement_date.isoformat()}",
            )  # fmt: skip
            return TransferResult(succeeded=outcome.paid, reference=outcome.reference,
                                  error=outcome.reason[:200], is_unknown=outcome.unknown)  # fmt: skip
        return TransferResult(
            succeeded=False,
            error=f"shop {order.shop_slug} is paid by WeChat Pay, which has no transfer to a merchant; "
            "give it a Stripe or Alipay payout account",
        )

    def _stripe(self) -> PayoutRail:
        if self._stripe_rail is None:
            self._stripe_rail = StripeConnectPayoutRail(destination_for=lambda o: self._destinations.get(o.payout_id))
        return self._stripe_rail

    def _alipay_rail(self) -> AlipayRail:
        if self._alipay is None:
            self._alipay = platform_alipay_rail()
        return self._alipay


def payout_rail_for(name: str | None = None) -> PayoutRail:
    name = name or getattr(settings, "PAWPACT_PAYOUT_RAIL", "sandbox")
    if name == "sandbox":
        # A live platform pays real advances: never through a rail that moves nothing.
        sandbox_refuse_in_live(provider=_("The sandbox payout rail"), livemode=platform_livemode())
        return SandboxPayoutRail()
    if name in ("stripe", "accounts") and platform_livemode():
        stripe_key_mode_check(livemode=True)
    if name == "stripe":
        return StripeConnectPayoutRail()
    if name == "accounts":
        return AccountPayoutRail()
    raise ValueError(f"unknown payout rail {name!r}")


class PartnerAccountRail:
    """Each partner paid into its own verified payout account: a Stripe Connect transfer or an
    Alipay transfer from the platform's app, keyed "partner.payment:<id>" either way, so a retry
    is the same transfer. With no verified account nothing is sent and the payment is held."""

    name = "partner_accounts"

    def __init__(self, *, client: stripe.StripeClient | None = None, alipay: AlipayRail | None = None) -> None:
        self._client, self._alipay = client, alipay

    def transfer(self, order: PartnerTransferOrder) -> TransferResult:
        account = partner_account_verified(partner_id=order.partner_id)
        if account is None:
            return TransferResult(succeeded=False, held=True, error="no verified payout account")
        title = f"Pawpact partner redemptions {order.month:%Y-%m}"
        if account.kind == PayoutAccountKind.STRIPE_CONNECT:
            params = {"amount": order.amount.amount_minor, "currency": order.amount.currency.lower(),
                      "destination": account.account_ref, "transfer_group": f"partner-payment-{order.payment_id}",
                      "description": title, "metadata": {"partner_payment_id": str(order.payment_id),
                                                         "partner_id": str(order.partner_id)}}  # fmt: skip
            return stripe_transfer(self._client or stripe_client(), params, idempotency_key=order.idempotency_key)
        outcome = (self._alipay or platform_alipay_rail()).fund_transfer(
            payee_user_id=account.account_ref, payee_name=account.holder_name, amount=order.amount,
            idempotency_key=order.idempotency_key, title=title,
        )  # fmt: skip
        return TransferResult(succeeded=outcome.paid, reference=outcome.reference,
                              error=outcome.reason[:200], is_unknown=outcome.unknown)  # fmt: skip


def partner_rail_for(name: str | None = None) -> PayoutRail:
    """How the platform pays service partners: the sandbox in test mode, else each partner's
    verified payout account."""
    name = name or getattr(settings, "PAWPACT_PAYOUT_RAIL", "sandbox")
    if name == "sandbox":
        sandbox_refuse_in_live(provider=_("The sandbox payout rail"), livemode=platform_livemode())
        return SandboxPayoutRail()
    return PartnerAccountRail()
