"""Advances: the platform buys a signed contract, collects its debits, and adjusts the
advance when the contract ends early.

Amounts (V = contract value, r = the shop's advance rate, F = its flat fee):
    gross    G = apply_rate(V, r)            (one rounding, half up)
    advance  A = G − F                       (refused unless A > 0: F ≥ V × r creates nothing)
    discount D = V − A − F = V − G
    payable on the local (Asia/Shanghai) signing date + settlement_delay_days, calendar days.
Example: V 478,800 fen (399 × 12), r 0.9, F 1,000 → G 430,920, A 429,920, D 47,880.

Journals (debit-positive; zero lines are left out; C = collected so far, R = V − C the
receivable still open, K = the clawback):

  advance.purchased     key "advance:<shop id>:<contract uuid>"
      CUSTOMER_RECEIVABLE +V   ADVANCES_PAYABLE −A   FEE_REVENUE −F   DISCOUNT −D
  advance.collection    key "collection:<shop id>:<contract uuid>:<period>:<attempt>"   (debit.paid)
      CASH +amount             CUSTOMER_RECEIVABLE −amount
  advance.closed        key "advance-close:<shop id>:<contract uuid>"
      early_termination, pet_loss, default, by the shop's recourse rule:
        full      K = max(A − C, 0)                      the advance not yet covered by collections
        pro_rata  K = A × unpaid / periods, half up      unpaid = periods − ⌊C / monthly amount⌋
        none      K = 0
      SHOP_RECEIVABLE +K   CUSTOMER_RECEIVABLE −R   and the rest L = R − K:
        default: BAD_DEBT +L        otherwise: DISCOUNT +L (the purchase discount given up)
      cooling_off, advance already in a payout or paid (every recourse rule): K = A,
        and what was collected is refunded to the customer:
      SHOP_RECEIVABLE +A   CASH −C   CUSTOMER_RECEIVABLE −R   FEE_REVENUE +F   DISCOUNT +D
  advance.cancelled     same key: cooling_off while the advance is still pending. The advance
      is cancelled (no payout) and the purchase undone, collections refunded:
      ADVANCES_PAYABLE +A   CASH −C   CUSTOMER_RECEIVABLE −R   FEE_REVENUE +F   DISCOUNT +D

A clawback (K > 0) is a Clawback row, deducted from the shop's next payout
(pawpact.platform.funding.settlement), whose journal settles SHOP_RECEIVABLE.
Worked example (the contract above, 3 of 12 periods collected, C = 119,700, R = 359,100):
  full, early termination: K 310,220; DISCOUNT +48,880
  pro_rata, pet loss:      K 322,440 (429,920 × 9/12); DISCOUNT +36,660
  none, default:           K 0; BAD_DEBT +359,100
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock, local_date
from pawpact.core.money import Money, apply_rate
from pawpact.platform.enums import AdvanceStatus, ClawbackReason, PlatformAccount, PlatformJournalKind, RecourseRule
from pawpact.platform.funding.errors import AdvanceRefused
from pawpact.platform.funding.ledger import (
    Entry,
    Line,
    entry_post,
    journal_post,
    journals_post_many,
    lines_without_zeros,
)
from pawpact.platform.funding.terms import Terms, funding_terms_for_shops, funding_terms_get
from pawpact.platform.models import Advance, Clawback, PlatformJournal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdvanceAmounts:
    value_minor: int
    gross_minor: int
    fee_minor: int
    amount_minor: int
    discount_minor: int
    currency: str


def advance_amounts(*, value_minor: int, currency: str, terms: Terms) -> AdvanceAmounts:
    """What the platform pays for a contract of `value_minor` on `terms`; AdvanceRefused if nothing."""
    gross = apply_rate(Money(value_minor, currency), terms.advance_rate)
    amount = gross.amount_minor - terms.fee_minor
    if value_minor <= 0 or amount <= 0:
        raise AdvanceRefused(
            _("The fee of %(fee)s is not less than %(gross)s (contract value %(value)s × rate %(rate)s): no advance.")
            % {
                "fee": Money(terms.fee_minor, currency).format(),
                "gross": gross.format(),
                "value": Money(value_minor, currency).format(),
                "rate": terms.advance_rate,
            },
            fields={"fee_minor": [_("The fee must be smaller than the contract value × the advance rate.")]},
        )
    return AdvanceAmounts(
        value_minor=value_minor,
        gross_minor=gross.amount_minor,
        fee_minor=terms.fee_minor,
        amount_minor=amount,
        discount_minor=value_minor - gross.amount_minor,
        currency=currency,
    )


def payable_on_for(*, signed_at: datetime, terms: Terms) -> date:
    """T + settlement_delay_days calendar days, T the signing date in the platform's time zone."""
    return local_date(signed_at) + timedelta(days=terms.settlement_delay_days)


def purchase_key(*, shop_id: int, contract_uuid: UUID) -> str:
    return f"advance:{shop_id}:{contract_uuid}"


def purchase_lines(amounts: AdvanceAmounts) -> list[Line]:
    return lines_without_zeros(
        [
            Line(PlatformAccount.CUSTOMER_RECEIVABLE, amounts.value_minor),
            Line(PlatformAccount.ADVANCES_PAYABLE, -amounts.amount_minor),
            Line(PlatformAccount.FEE_REVENUE, -amounts.fee_minor),
            Line(PlatformAccount.DISCOUNT, -amounts.discount_minor),
        ]
    )


@dataclass(frozen=True)
class ContractBought:
    """A signed contract as the platform buys it (from a contract.signed event)."""

    shop_id: int
    contract_uuid: UUID
    value_minor: int
    monthly_amount_minor: int
    periods: int
    currency: str
    signed_at: datetime


def _advance_row(contract: ContractBought, terms: Terms, amounts: AdvanceAmounts, now: datetime) -> Advance:
    return Advance(
        shop_id=contract.shop_id,
        contract_uuid=contract.contract_uuid,
        currency=contract.currency,
        contract_value_minor=contract.value_minor,
        monthly_amount_minor=contract.monthly_amount_minor,
        periods=contract.periods,
        advance_rate=terms.advance_rate,
        fee_minor=amounts.fee_minor,
        amount_minor=amounts.amount_minor,
        signed_at=contract.signed_at,
        payable_on=payable_on_for(signed_at=contract.signed_at, terms=terms),
        created_at=now,
    )


def _purchase_entry(contract: ContractBought, terms: Terms, amounts: AdvanceAmounts) -> Entry:
    """The journal of buying the contract: its value receivable, the advance owed to the shop, the fee."""
    return Entry(
        key=purchase_key(shop_id=contract.shop_id, contract_uuid=contract.contract_uuid),
        kind=PlatformJournalKind.ADVANCE_PURCHASED,
        lines=purchase_lines(amounts),
        currency=contract.currency,
        shop_id=contract.shop_id,
        contract_uuid=contract.contract_uuid,
        memo=f"{contract.periods} × {contract.monthly_amount_minor} at {terms.advance_rate}, fee {terms.fee_minor}",
    )


def _refused(contract: ContractBought, error: AdvanceRefused) -> AdvanceRefused:
    logger.warning(
        "advance refused: shop %s contract %s: %s", contract.shop_id, contract.contract_uuid, error.message
    )
    return error


def advance_create(*, contract: ContractBought, clock: Clock = default_clock) -> Advance:
    """Buy a signed contract on its shop's current terms, once (a repeat returns the advance).

    Refused (AdvanceRefused, logged, nothing written) when the fee is not below value × rate.
    """
    existing = Advance.objects.filter(shop_id=contract.shop_id, contract_uuid=contract.contract_uuid).first()
    if existing is not None:
        return existing
    terms = funding_terms_get(shop_id=contract.shop_id)
    try:
        amounts = advance_amounts(value_minor=contract.value_minor, currency=contract.currency, terms=terms)
    except AdvanceRefused as error:
        raise _refused(contract, error) from None
    try:
        with transaction.atomic():
            advance = _advance_row(contract, terms, amounts, clock.now())
            advance.save()
            entry_post(_purchase_entry(contract, terms, amounts), at=clock.now())
    except IntegrityError:
        # A concurrent apply bought it first.
        return Advance.objects.get(shop_id=contract.shop_id, contract_uuid=contract.contract_uuid)
    return advance


@dataclass
class BulkPurchase:
    created: int = 0
    refused: int = 0


def advances_create_bulk(*, contracts: Sequence[ContractBought], clock: Clock = default_clock) -> BulkPurchase:
    """`advance_create` for many contracts at once (same amounts, rows and journals, refusals
    logged and skipped); contracts already bought are left alone. For seeding and backfills."""
    now = clock.now()
    terms_by_shop = funding_terms_for_shops(c.shop_id for c in contracts)
    report = BulkPurchase()
    rows: list[Advance] = []
    entries: list[Entry] = []
    for contract in contracts:
        terms = terms_by_shop[contract.shop_id]
        try:
            amounts = advance_amounts(value_minor=contract.value_minor, currency=contract.currency, terms=terms)
        except AdvanceRefused as error:
            _refused(contract, error)
            report.refused += 1
            continue
        rows.append(_advance_row(contract, terms, amounts, now))
        entries.append(_purchase_entry(contract, terms, amounts))
    with transaction.atomic():
        before = Advance.objects.count()
        Advance.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        report.created = Advance.objects.count() - before
        journals_post_many(entries, at=now)
    return report


# --- collections ------------------------------------------------------------------------


def collection_key(*, shop_id: int, contract_uuid: UUID, period_number: int, attempt_number: int) -> str:
    return f"collection:{shop_id}:{contract_uuid}:{period_number}:{attempt_number}"


def collection_record(
    *,
    shop_id: int,
    contract_uuid: UUID,
    amount_minor: int,
    currency: str,
    period_number: int,
    attempt_number: int,
    at: datetime | None = None,
) -> PlatformJournal | None:
    """A debit of a bought contract was collected: book it once. None when the platform
    did not buy the contract (the money is the shop's) or the amount is not positive."""
    if amount_minor <= 0:
        return None
    with transaction.atomic():
        advance = Advance.objects.select_for_update().filter(shop_id=shop_id, contract_uuid=contract_uuid).first()
        if advance is None:
            return None
        if advance.closed_reason:
            logger.warning("collection after contract %s of shop %s closed (%s)", contract_uuid, shop_id,
                           advance.closed_reason)  # fmt: skip
        journal, created = journal_post(
            key=collection_key(shop_id=shop_id, contract_uuid=contract_uuid, period_number=period_number,
                               attempt_number=attempt_number),  # fmt: skip
            kind=PlatformJournalKind.ADVANCE_COLLECTION,
            lines=[Line(PlatformAccount.CASH, amount_minor), Line(PlatformAccount.CUSTOMER_RECEIVABLE, -amount_minor)],
            currency=currency,
            shop_id=shop_id,
            contract_uuid=contract_uuid,
            memo=f"period {period_number}, attempt {attempt_number}",
            at=at,
        )
        if created:
            Advance.objects.filter(pk=advance.pk).update(collected_minor=F("collected_minor") + amount_minor)
    return journal


# --- contracts ending early ---------------------------------------------------------------


def close_key(*, shop_id: int, contract_uuid: UUID) -> str:
    return f"advance-close:{shop_id}:{contract_uuid}"


@dataclass(frozen=True)
class Closing:
    """What closing an advance books: the clawback (0 for none), the journal's kind and lines."""

    clawback_minor: int
    kind: str
    lines: list[Line]
    cancels: bool


def clawback_amount(*, advance: Advance, reason: str, recourse_rule: str) -> int:
    """K for a contract ending for `reason` under `recourse_rule` (see the module docstring)."""
    amount, collected = advance.amount_minor, advance.collected_minor
    if reason == ClawbackReason.COOLING_OFF:
        return amount
    if recourse_rule == RecourseRule.FULL:
        return max(amount - collected, 0)
    if recourse_rule == RecourseRule.PRO_RATA:
        paid = min(collected // advance.monthly_amount_minor, advance.periods) if advance.monthly_amount_minor else 0
        unpaid = advance.periods - paid
        if unpaid == 0:
            return 0
        # Largest remainder over two parts is round-half-up of A × unpaid / periods.
        return Money(amount).allocate([unpaid, paid])[0].amount_minor
    return 0


def closing_for(*, advance: Advance, reason: str, recourse_rule: str) -> Closing:
    value, amount, fee = advance.contract_value_minor, advance.amount_minor, advance.fee_minor
    discount = value - amount - fee
    collected = advance.collected_minor
    receivable = max(value - collected, 0)
    if reason == ClawbackReason.COOLING_OFF:
        cancels = advance.status == AdvanceStatus.PENDING
        first = (
            Line(PlatformAccount.ADVANCES_PAYABLE, amount) if cancels else Line(PlatformAccount.SHOP_RECEIVABLE, amount)
        )
        lines = [
            first,
            Line(PlatformAccount.CASH, -collected),
            Line(PlatformAccount.CUSTOMER_RECEIVABLE, -receivable),
            Line(PlatformAccount.FEE_REVENUE, fee),
            Line(PlatformAccount.DISCOUNT, discount),
        ]
        # Balances to zero unless more than the value was collected (never inside a cooling-off
        # window); the difference would then go through DISCOUNT.
        lines.append(Line(PlatformAccount.DISCOUNT, -sum(line.amount_minor for line in lines)))
        return Closing(
            clawback_minor=0 if cancels else amount,
            kind=PlatformJournalKind.ADVANCE_CANCELLED if cancels else PlatformJournalKind.ADVANCE_CLOSED,
            lines=_merged(lines),
            cancels=cancels,
        )
    clawback = clawback_amount(advance=advance, reason=reason, recourse_rule=recourse_rule)
    rest = receivable - clawback
    lines = [
        Line(PlatformAccount.SHOP_RECEIVABLE, clawback),
        Line(PlatformAccount.CUSTOMER_RECEIVABLE, -receivable),
        Line(PlatformAccount.BAD_DEBT if reason == ClawbackReason.DEFAULT else PlatformAccount.DISCOUNT, rest),
    ]
    return Closing(clawback_minor=clawback, kind=PlatformJournalKind.ADVANCE_CLOSED, lines=_merged(lines), cancels=False)


def _merged(lines: list[Line]) -> list[Line]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.account] = totals.get(line.account, 0) + line.amount_minor
    return lines_without_zeros([Line(account, amount) for account, amount in totals.items()])


def advance_close(
    *, shop_id: int, contract_uuid: UUID, reason: str, clock: Clock = default_clock
) -> Clawback | None:
    """The contract ended before it was paid off: book the closing once, per the shop's
    recourse rule (cooling-off: the whole advance; cancelled if not yet paid out).

    Returns the clawback to deduct from the next payout, or None (nothing to claw back,
    the advance was cancelled, or the platform did not buy the contract).
    """
    if reason not in ClawbackReason.values:
        raise ValueError(f"unknown termination reason {reason!r}")
    with transaction.atomic():
        advance = Advance.objects.select_for_update().filter(shop_id=shop_id, contract_uuid=contract_uuid).first()
        if advance is None:
            return None
        if advance.closed_reason:
            if advance.closed_reason != reason:
                logger.warning("contract %s of shop %s already closed (%s), %s ignored", contract_uuid, shop_id,
                               advance.closed_reason, reason)  # fmt: skip
            return advance.clawbacks.first()
        terms = funding_terms_get(shop_id=shop_id)
        closing = closing_for(advance=advance, reason=reason, recourse_rule=terms.recourse_rule)
        if closing.lines:
            journal_post(
                key=close_key(shop_id=shop_id, contract_uuid=contract_uuid),
                kind=closing.kind,
                lines=closing.lines,
                currency=advance.currency,
                shop_id=shop_id,
                contract_uuid=contract_uuid,
                memo=f"{reason}, {terms.recourse_rule} recourse, collected {advance.collected_minor}",
                at=clock.now(),
            )
        advance.closed_reason = reason
        fields = ["closed_reason"]
        if closing.cancels:
            advance.status = AdvanceStatus.CANCELLED
            fields.append("status")
        advance.save(update_fields=fields)
        if closing.clawback_minor <= 0:
            return None
        return Clawback.objects.create(
            shop_id=shop_id,
            advance=advance,
            reason=reason,
            amount_minor=closing.clawback_minor,
            currency=advance.currency,
            created_at=clock.now(),
        )
