"""The platform's double-entry ledger (public schema).

Lines are debit-positive, like the shops' ledgers (pawpact.billing.ledger): a
positive amount debits the account, a negative one credits it, and the lines of
a journal sum to zero. Every journal has a deterministic, unique idempotency key,
so posting the same movement twice returns the journal already posted. Journals
are append-only; a correction is another journal.

The journals of advance funding (their lines and keys) are defined in
pawpact.platform.funding.advances and pawpact.platform.funding.settlement.

`ledger_check` verifies the ledger against the records it mirrors:
  - every journal has lines and they sum to zero, per currency;
  - CASH = collections (debit.paid amounts of applied events of purchased contracts)
          − cooling-off refunds (what was collected on contracts cancelled in cooling-off)
          − paid payouts;
  - the sum of the collection journals = those debit.paid amounts;
  - ADVANCES_PAYABLE = −(advances not yet paid: pending or in a payout not yet paid);
  - SHOP_RECEIVABLE = clawbacks not yet settled by a paid payout;
  - CLEARING_RECEIVABLE = partner redemptions cleared − those charged to shops (clawbacks);
  - PARTNER_PAYABLE = −(partner redemptions cleared − partner payments paid), which CASH also paid.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from pawpact.partners.enums import BookingStatus as PartnerBookingStatus
from pawpact.partners.enums import PaymentStatus as PartnerPaymentStatus
from pawpact.partners.models import PartnerBooking, PartnerPayment
from pawpact.platform.enums import AdvanceStatus, ClawbackReason, PayoutStatus, PlatformAccount, PlatformJournalKind
from pawpact.platform.funding.errors import UnbalancedPlatformJournal
from pawpact.platform.models import (
    Advance,
    Clawback,
    Payout,
    PlatformJournal,
    PlatformLedgerLine,
    ReconciliationMismatch,
)
from pawpact.platform.saas.selectors import SaasLedgerExpectation, saas_ledger_expectation
from pawpact.tenants.modes import platform_livemode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Line:
    account: str  # a PlatformAccount value
    amount_minor: int


@dataclass(frozen=True)
class Entry:
    """One journal to post: what `journal_post` takes, as data (for posting many at once)."""

    key: str
    kind: str
    lines: Sequence[Line]
    currency: str = "CNY"
    shop_id: int | None = None
    contract_uuid: UUID | None = None
    memo: str = ""


def lines_without_zeros(lines: Sequence[Line]) -> list[Line]:
    """Drop zero lines (a fee of 0, no discount at rate 1): the ledger refuses empty lines."""
    return [line for line in lines if line.amount_minor != 0]


def _validate(entry: Entry) -> None:
    if not entry.lines or sum(line.amount_minor for line in entry.lines) != 0:
        raise UnbalancedPlatformJournal(f"Journal {entry.key} does not balance: {list(entry.lines)}")
    if any(line.amount_minor == 0 for line in entry.lines):
        raise UnbalancedPlatformJournal(f"Journal {entry.key} has an empty line.")
    if any(line.account not in PlatformAccount.values for line in entry.lines):
        raise UnbalancedPlatformJournal(f"Journal {entry.key} names an unknown account.")


def journal_post(
    *,
    key: str,
    kind: str,
    lines: Sequence[Line],
    currency: str = "CNY",
    shop_id: int | None = None,
    contract_uuid: UUID | None = None,
    memo: str = "",
    at: datetime | None = None,
) -> tuple[PlatformJournal, bool]:
    """Post a balanced journal once: (journal, True), or (the journal already posted, False)."""
    entry = Entry(key=key, kind=kind, lines=lines, currency=currency, shop_id=shop_id,
                  contract_uuid=contract_uuid, memo=memo)  # fmt: skip
    return entry_post(entry, at=at)


def entry_post(entry: Entry, *, at: datetime | None = None) -> tuple[PlatformJournal, bool]:
    """`journal_post` of a journal already described as an Entry."""
    _validate(entry)
    existing = PlatformJournal.objects.filter(idempotency_key=entry.key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            journal = PlatformJournal.objects.create(
                idempotency_key=entry.key, kind=entry.kind, memo=entry.memo[:255], shop_id=entry.shop_id,
                contract_uuid=entry.contract_uuid, created_at=at or timezone.now(),
            )  # fmt: skip
            PlatformLedgerLine.objects.bulk_create(
                PlatformLedgerLine(journal=journal, account=line.account, amount_minor=line.amount_minor,
                                   currency=entry.currency, shop_id=entry.shop_id)
                for line in entry.lines
            )  # fmt: skip
    except IntegrityError:
        # A concurrent poster won the key: theirs is the movement.
        return PlatformJournal.objects.get(idempotency_key=entry.key), False
    return journal, True


def journals_post_many(entries: Sequence[Entry], *, at: datetime | None = None) -> list[str]:
    """Post many balanced journals in two statements; keys already posted are skipped.

    Returns the keys posted now. Same contract as `journal_post`, for the set-based
    paths (the settlement run, bulk advance purchases).
    """
    if not entries:
        return []
    for entry in entries:
        _validate(entry)
    at = at or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO platform_platformjournal (idempotency_key, kind, memo, shop_id, contract_uuid, created_at)"
            " SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], %s::uuid[],"
            " %s::timestamptz[])"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
            [
                [e.key for e in entries],
                [e.kind for e in entries],
                [e.memo[:255] for e in entries],
                [e.shop_id for e in entries],
                [e.contract_uuid for e in entries],
                [at] * len(entries),
            ],
        )
        posted = dict((key, journal_id) for journal_id, key in cursor.fetchall())
        by_key = {e.key: e for e in entries}
        rows = [
            (posted[key], line.account, line.amount_minor, by_key[key].currency, by_key[key].shop_id)
            for key in posted
            for line in by_key[key].lines
        ]
        if rows:
            cursor.execute(
                "INSERT INTO platform_platformledgerline (journal_id, account, amount_minor, currency, shop_id)"
                " SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::varchar[], %s::bigint[])",
                [list(column) for column in zip(*rows, strict=True)],
            )
    return list(posted)


def account_balances(*, shop_id: int | None = None, contract_uuid: UUID | None = None) -> dict[str, int]:
    """Balance of every account (debit-positive), for the platform, one shop or one contract."""
    lines = PlatformLedgerLine.objects.all()
    if shop_id is not None:
        lines = lines.filter(shop_id=shop_id)
    if contract_uuid is not None:
        lines = lines.filter(journal__contract_uuid=contract_uuid)
    return {row["account"]: row["total"] for row in lines.values("account").annotate(total=Sum("amount_minor"))}


def unbalanced_journals() -> list[str]:
    """Keys of journals without lines or whose lines do not sum to zero in some currency."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT j.idempotency_key FROM platform_platformjournal j"
            " LEFT JOIN platform_platformledgerline l ON l.journal_id = j.id"
            " GROUP BY j.id, j.idempotency_key, l.currency"
            " HAVING COUNT(l.id) = 0 OR SUM(l.amount_minor) <> 0"
            " ORDER BY j.id"
        )
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


@dataclass
class LedgerCheck:
    journals: int = 0
    cash_minor: int = 0
    expected_cash_minor: int = 0
    collections_minor: int = 0  # debit.paid amounts of applied events of purchased contracts
    collection_journals_minor: int = 0
    refunds_minor: int = 0
    payouts_paid_minor: int = 0
    saas_paid_minor: int = 0
    partner_payments_paid_minor: int = 0
    advances_payable_minor: int = 0
    expected_advances_payable_minor: int = 0
    shop_receivable_minor: int = 0
    expected_shop_receivable_minor: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.problems


def _scalar(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0] or 0)


def _total(queryset, field_name: str) -> int:
    return queryset.aggregate(total=Sum(field_name))["total"] or 0


def ledger_check() -> LedgerCheck:
    """Check the platform ledger: balanced journals, and accounts that match their records."""
    check = LedgerCheck(journals=PlatformJournal.objects.count())
    unbalanced = unbalanced_journals()
    if unbalanced:
        check.problems.append(f"{len(unbalanced)} unbalanced journal(s): {', '.join(unbalanced[:5])}")
    balances = account_balances()
    saas = _check_cash(check, balances)
    _check_saas(check, balances, saas)
    _check_advances_payable(check, balances)
    _check_shop_receivable(check, balances)
    _check_clearing(check, balances)
    mismatches = ReconciliationMismatch.objects.filter(resolved_at__isnull=True).count()
    if mismatches:
        check.problems.append(f"{mismatches} open reconciliation mismatch(es) with the providers' statements")
    return check


def _check_cash(check: LedgerCheck, balances: dict[str, int]) -> SaasLedgerExpectation:
    """CASH against what came in (collections, subscription invoices) and went out (refunds, payouts);
    the collection journals against the debit.paid events they book. Returns the SaaS figures."""
    check.cash_minor = balances.get(PlatformAccount.CASH, 0)
    check.collections_minor = _scalar(
        "SELECT SUM((e.payload->>'amount_minor')::bigint) FROM platform_platformevent e"
        " JOIN platform_advance a ON a.shop_id = e.shop_id AND a.contract_uuid = e.aggregate_uuid"
        " WHERE e.kind = 'debit.paid' AND e.applied_at IS NOT NULL AND e.livemode = %s",
        [platform_livemode()],
    )
    check.collection_journals_minor = _scalar(
        "SELECT SUM(l.amount_minor) FROM platform_platformledgerline l"
        " JOIN platform_platformjournal j ON j.id = l.journal_id WHERE j.kind = %s AND l.account = %s",
        [PlatformJournalKind.ADVANCE_COLLECTION, PlatformAccount.CASH],
    )
    check.refunds_minor = _total(Advance.objects.filter(closed_reason=ClawbackReason.COOLING_OFF), "collected_minor")
    check.payouts_paid_minor = _total(Payout.objects.filter(status=PayoutStatus.PAID), "amount_minor")
    saas = saas_ledger_expectation()
    check.saas_paid_minor = saas.cash_minor
    check.partner_payments_paid_minor = _total(PartnerPayment.objects.filter(status=PartnerPaymentStatus.PAID),
                                               "amount_minor")  # fmt: skip
    check.expected_cash_minor = (
        check.collections_minor - check.refunds_minor - check.payouts_paid_minor + check.saas_paid_minor
        - check.partner_payments_paid_minor
    )
    if check.collection_journals_minor != check.collections_minor:
        check.problems.append(
            f"collection journals {check.collection_journals_minor} != debit.paid amounts of applied events "
            f"{check.collections_minor}"
        )
    if check.cash_minor != check.expected_cash_minor:
        check.problems.append(
            f"cash {check.cash_minor} != collections {check.collections_minor} − cooling-off refunds "
            f"{check.refunds_minor} − paid payouts {check.payouts_paid_minor} + paid subscription invoices "
            f"{check.saas_paid_minor}"
            + (f" − paid partner payments {check.partner_payments_paid_minor}" if check.partner_payments_paid_minor else "")
            + f" = {check.expected_cash_minor}"
        )
    return saas


def _check_saas(check: LedgerCheck, balances: dict[str, int], saas: SaasLedgerExpectation) -> None:
    for account, expected in (
        (PlatformAccount.SAAS_RECEIVABLE, saas.receivable_minor),
        (PlatformAccount.SAAS_REVENUE, -saas.revenue_minor),
    ):
        if balances.get(account, 0) != expected:
            check.problems.append(f"{account} {balances.get(account, 0)} != subscription invoices {expected}")


def _check_advances_payable(check: LedgerCheck, balances: dict[str, int]) -> None:
    check.advances_payable_minor = balances.get(PlatformAccount.ADVANCES_PAYABLE, 0)
    unpaid = Advance.objects.filter(status__in=(AdvanceStatus.PENDING, AdvanceStatus.IN_PAYOUT))
    check.expected_advances_payable_minor = -_total(unpaid, "amount_minor")
    if check.advances_payable_minor != check.expected_advances_payable_minor:
        check.problems.append(
            f"advances payable {check.advances_payable_minor} != −(advances not yet paid) "
            f"{check.expected_advances_payable_minor}"
        )


def _check_shop_receivable(check: LedgerCheck, balances: dict[str, int]) -> None:
    check.shop_receivable_minor = balances.get(PlatformAccount.SHOP_RECEIVABLE, 0)
    open_clawbacks = Clawback.objects.exclude(payout__status=PayoutStatus.PAID)
    check.expected_shop_receivable_minor = _total(open_clawbacks, "amount_minor")
    if check.shop_receivable_minor != check.expected_shop_receivable_minor:
        check.problems.append(
            f"shop receivable {check.shop_receivable_minor} != clawbacks not yet settled "
            f"{check.expected_shop_receivable_minor}"
        )


def _check_clearing(check: LedgerCheck, balances: dict[str, int]) -> None:
    cleared = _total(PartnerBooking.objects.filter(status=PartnerBookingStatus.COMPLETED, with_entitlement=True,
                                                   price_minor__gt=0), "price_minor")  # fmt: skip
    charged = _total(Clawback.objects.filter(reason=ClawbackReason.PARTNER_CLEARING), "amount_minor")
    for account, expected, what in (
        (PlatformAccount.CLEARING_RECEIVABLE, cleared - charged, "partner redemptions not yet charged to shops"),
        (PlatformAccount.PARTNER_PAYABLE, -(cleared - check.partner_payments_paid_minor),
         "−(partner redemptions not yet paid to partners)"),
    ):  # fmt: skip
        if balances.get(account, 0) != expected:
            check.problems.append(f"{account} {balances.get(account, 0)} != {what} {expected}")
