"""Alipay transfers (the platform's payouts to shops' Alipay accounts, by
`alipay.fund.trans.uni.transfer` from the platform's own app) matched line by line against
our payouts, once a day, like Stripe's transfers (transfer_reconciliation).

The platform app's daily bill lists them as transfers (转账), each with the out_biz_no we
sent (derived from the payout's key "payout:<id>", so a line finds its payout) and the payee
account. A payout paid here that the bill does not list is `missing_at_provider`; a transfer
the bill lists that is no paid payout of ours is `missing_here`, put on the shop whose
verified Alipay payout account received it. Transfers to service partners (their own
payments) are not a shop's and are left out, as for Stripe; a transfer to an account that is
neither a shop's nor a partner's is counted and logged (no shop to list it under).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from pawpact.core.clock import Clock, default_clock
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.enums import PayoutAccountKind
from pawpact.platform.funding.payout_accounts import platform_alipay_rail
from pawpact.platform.funding.payout_rails import payout_key
from pawpact.platform.funding.transfer_reconciliation import (
    TransferLine,
    payouts_paid_on,
    transfer_mismatches_apply,
    transfers_match,
)
from pawpact.platform.models import PartnerPayoutAccount, Payout, PayoutAccount

logger = logging.getLogger(__name__)
PROVIDER = "alipay"
# A payout's transfer is booked within days of its settlement; older payouts are not looked up.
LOOKBACK = timedelta(days=60)


@dataclass(frozen=True)
class AlipayTransfersReconciled:
    lines: int
    matched: int
    mismatches: int
    unattributed: int  # transfers to an account no shop or partner of ours holds


def _alipay_paid_on(day: date):
    """Payouts paid through an Alipay transfer that day (a Stripe transfer's id starts with tr_)."""
    return payouts_paid_on(day).filter(rail="accounts").exclude(rail_reference__startswith="tr_")


def alipay_transfer_lines(*, day: date, rail: AlipayRail | None = None) -> tuple[list[TransferLine], int]:
    """The platform app's transfers of `day` as transfer lines (partners' left out), and how
    many named an account of nobody we know; ProviderRefused if Alipay cannot be asked."""
    statement = [line for line in (rail or platform_alipay_rail()).statement(day=day) if line.kind == "transfer"]
    candidates = Payout.objects.filter(rail="accounts", settlement_date__gte=day - LOOKBACK).values_list("pk", "shop_id")
    by_number = {out_trade_no(payout_key(pk)): (pk, shop_id) for pk, shop_id in candidates}
    payees = {line.counterparty for line in statement}
    shops = dict(PayoutAccount.objects.filter(kind=PayoutAccountKind.ALIPAY_RECEIVER, account_ref__in=payees)
                 .values_list("account_ref", "shop_id"))  # fmt: skip
    partners = set(PartnerPayoutAccount.objects.filter(account_ref__in=payees).values_list("account_ref", flat=True))
    lines, unattributed = [], 0
    for line in statement:
        payout_id, shop_id = by_number.get(line.order_no, (None, shops.get(line.counterparty)))
        if payout_id is None and line.counterparty in partners:
            continue
        if payout_id is None and shop_id is None:
            unattributed += 1
            logger.warning("Alipay transfer %s of %s (%s fen) to %s is no payout of ours", line.provider_reference,
                           day, line.amount_minor, line.counterparty or "an unnamed account")  # fmt: skip
            continue
        lines.append(TransferLine(line.provider_reference, -abs(line.amount_minor), payout_id, shop_id))
    return lines, unattributed


def alipay_transfers_reconcile(
    *, day: date | None = None, rail: AlipayRail | None = None, clock: Clock = default_clock
) -> AlipayTransfersReconciled:
    """Yesterday's (or `day`'s) Alipay transfers against our payouts; the day's result
    replaces the earlier one (a person's resolution stands). ProviderRefused if Alipay cannot be asked."""
    day = day or clock.today() - timedelta(days=1)
    lines, unattributed = alipay_transfer_lines(day=day, rail=rail)
    matched, mismatches = transfers_match(lines=lines, day=day, paid_on_day=_alipay_paid_on(day))
    transfer_mismatches_apply(day=day, mismatches=mismatches, provider=PROVIDER, clock=clock)
    if mismatches or unattributed:
        logger.warning("Alipay transfers of %s: %d mismatch(es) with our payouts, %d to unknown accounts",
                       day, len(mismatches), unattributed)  # fmt: skip
    return AlipayTransfersReconciled(lines=len(lines) + unattributed, matched=matched, mismatches=len(mismatches),
                                     unattributed=unattributed)  # fmt: skip
