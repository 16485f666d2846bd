"""Stripe transfers (the platform's payouts to shops' Connect accounts) matched line by line
against our payouts, once a day, like the shops' charges and refunds.

A transfer is the platform's own movement, not a shop's, so it is matched here, in the
public schema: the day's balance transactions of type `transfer` (the platform account's,
one listing) against every payout recorded as paid through Stripe that day (the platform's
day), by the payout id the transfer carries in its metadata (its idempotency key is
"payout:<id>"), else by the transfer id we recorded. Mismatches are the shop's, like its
statement's: `missing_here` (Stripe moved money our books do not show as a paid payout),
`missing_at_provider` (a payout paid here that Stripe does not list), `amount_differs`;
amounts are signed as on the statement (money out is negative). They join the console's
list with their amount and age, and the platform ledger check counts them while open.
Running a day again replaces that day's transfer result; a person's resolution stands.
Transfers to service partners (their own payments) are not a shop's and are left out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import stripe
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock, local_midnight
from pawpact.payments.errors import ProviderRefused
from pawpact.payments.stripe import stripe_client
from pawpact.platform.enums import MismatchKind, MismatchResolution, PayoutStatus
from pawpact.platform.models import Payout, ReconciliationMismatch

logger = logging.getLogger(__name__)
PROVIDER = "stripe"
RECORD = "payout"  # our_record of every transfer mismatch: what sets them apart from the shop's lines
STRIPE_PAYOUT_RAILS = ("stripe", "accounts")  # "accounts" pays by Stripe when the shop's account is Connect


@dataclass(frozen=True)
class TransferLine:
    transfer_id: str
    amount_minor: int  # as Stripe books it: negative, money out
    payout_id: int | None  # from the transfer's metadata
    shop_id: int | None


@dataclass(frozen=True)
class TransferMismatch:
    shop_id: int
    kind: str
    reference: str
    amount_minor: int
    our_amount_minor: int
    provider_reference: str = ""
    our_key: str = ""


def stripe_transfer_lines(*, day: date, client: stripe.StripeClient | None = None) -> list[TransferLine]:
    """The platform account's transfers booked on `day`, every page; ProviderRefused if Stripe cannot be asked."""
    start, end = (int(local_midnight(d).timestamp()) for d in (day, day + timedelta(days=1)))
    params = {"created": {"gte": start, "lt": end}, "type": "transfer", "limit": 100, "expand": ["data.source"]}
    lines = []
    try:
        for txn in (client or stripe_client()).v1.balance_transactions.list(params).auto_paging_iter():
            txn = txn.to_dict()
            source = txn.get("source") if isinstance(txn.get("source"), dict) else {"id": txn.get("source") or ""}
            metadata = source.get("metadata") or {}
            if metadata.get("partner_id") or "partner" in str(source.get("transfer_group") or ""):
                continue
            lines.append(TransferLine(source.get("id") or txn["id"], -abs(int(txn["amount"])),
                                      _int(metadata.get("payout_id")), _int(metadata.get("shop_id"))))  # fmt: skip
    except stripe.StripeError as error:
        logger.warning("Stripe transfers of %s not fetched: %s", day, error)
        raise ProviderRefused(_("Stripe's balance transactions could not be fetched (%(reason)s); try again.")
                              % {"reason": error.user_message or type(error).__name__}) from None  # fmt: skip
    return lines


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def payouts_paid_on(day: date) -> QuerySet[Payout]:
    start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    return Payout.objects.filter(status=PayoutStatus.PAID, paid_at__gte=start, paid_at__lt=end)


def transfers_match(
    *, lines: list[TransferLine], day: date, paid_on_day: QuerySet[Payout] | None = None
) -> tuple[int, list[TransferMismatch]]:
    """(lines matched, mismatches) of the day's transfers against our payouts paid that day
    through the same provider (`paid_on_day`; Stripe's by default)."""
    if paid_on_day is None:
        paid_on_day = payouts_paid_on(day).filter(rail__in=STRIPE_PAYOUT_RAILS, rail_reference__startswith="tr_")
    ids = {line.payout_id for line in lines if line.payout_id} | {p.pk for p in paid_on_day}
    refs = [line.transfer_id for line in lines]
    ours = {p.pk: p for p in Payout.objects.filter(pk__in=ids)}
    by_reference = {p.rail_reference: p for p in Payout.objects.filter(rail_reference__in=refs)}
    matched, mismatches, seen = 0, [], set()
    for line in lines:
        payout = ours.get(line.payout_id) if line.payout_id else by_reference.get(line.transfer_id)
        shop_id = payout.shop_id if payout is not None else line.shop_id
        if shop_id is None:
            logger.warning("Stripe transfer %s of %s names no shop or payout of ours", line.transfer_id, day)
            continue
        reference = f"payout:{payout.pk if payout else line.payout_id}" if (payout or line.payout_id) else line.transfer_id
        mine = -payout.amount_minor if payout is not None and payout.status == PayoutStatus.PAID else 0
        common = {"shop_id": shop_id, "reference": reference, "amount_minor": line.amount_minor,
                  "provider_reference": line.transfer_id, "our_key": reference if payout else ""}  # fmt: skip
        if payout is not None:
            seen.add(payout.pk)
        if mine == 0:
            mismatches.append(TransferMismatch(kind=MismatchKind.MISSING_HERE, our_amount_minor=0, **common))
        elif mine != line.amount_minor:
            mismatches.append(TransferMismatch(kind=MismatchKind.AMOUNT_DIFFERS, our_amount_minor=mine, **common))
        else:
            matched += 1
    for payout in paid_on_day:
        if payout.pk not in seen:
            mismatches.append(TransferMismatch(shop_id=payout.shop_id, kind=MismatchKind.MISSING_AT_PROVIDER,
                                               reference=f"payout:{payout.pk}", amount_minor=0,
                                               our_amount_minor=-payout.amount_minor, our_key=f"payout:{payout.pk}"))  # fmt: skip
    return matched, mismatches


def transfer_mismatches_apply(
    *, day: date, mismatches: list[TransferMismatch], provider: str = PROVIDER, clock: Clock = default_clock
) -> None:
    """The day's transfer result of `provider` replaces its earlier one (the shops' own lines untouched)."""
    now = clock.now()
    listed = {(m.shop_id, m.kind, m.reference): m for m in mismatches}
    with transaction.atomic():
        rows = ReconciliationMismatch.objects.select_for_update().filter(provider=provider, statement_date=day,
                                                                         our_record=RECORD)  # fmt: skip
        existing = {(row.shop_id, row.kind, row.reference): row for row in rows}
        for key, row in existing.items():
            if row.resolved_at is None and key not in listed:
                row.resolved_at, row.resolution = now, MismatchResolution.MATCHED
                row.save(update_fields=["resolved_at", "resolution"])
        for key, m in listed.items():
            values = {"amount_minor": m.amount_minor, "our_amount_minor": m.our_amount_minor,
                      "provider_reference": m.provider_reference[:64], "our_key": m.our_key, "our_record": RECORD}  # fmt: skip
            row = existing.get(key)
            if row is None:
                ReconciliationMismatch.objects.create(shop_id=m.shop_id, provider=provider, statement_date=day,
                                                      kind=m.kind, reference=m.reference[:64], first_seen_at=now,
                                                      **values)  # fmt: skip
            elif row.resolved_by_id is None and (row.resolved_at is not None or row.amount_minor != m.amount_minor
                                                 or row.our_amount_minor != m.our_amount_minor):  # fmt: skip
                ReconciliationMismatch.objects.filter(pk=row.pk).update(resolved_at=None, resolution="", **values)


@dataclass(frozen=True)
class TransfersReconciled:
    lines: int
    matched: int
    mismatches: int


def stripe_transfers_reconcile(
    *, day: date | None = None, client: stripe.StripeClient | None = None, clock: Clock = default_clock
) -> TransfersReconciled:
    """Yesterday's (or `day`'s) Stripe transfers against our payouts; ProviderRefused if Stripe cannot be asked."""
    day = day or clock.today() - timedelta(days=1)
    lines = stripe_transfer_lines(day=day, client=client)
    matched, mismatches = transfers_match(lines=lines, day=day)
    transfer_mismatches_apply(day=day, mismatches=mismatches, clock=clock)
    if mismatches:
        logger.warning("Stripe transfers of %s: %d mismatch(es) with our payouts", day, len(mismatches))
    return TransfersReconciled(lines=len(lines), matched=matched, mismatches=len(mismatches))
