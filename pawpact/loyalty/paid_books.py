"""Membership money against the books and the providers' statements. Reads only.

`membership_ledger_problems` joins the shop's ledger check (settings.PAWPACT_LEDGER_CHECKS,
run by `manage.py billing_ledger_check`, which also balances every journal): every paid charge has exactly its one
`membership.paid` journal at its amount, every confirmed refund its one `membership.refunded`
journal and its RailRefund, no such journal stands without its charge, and the membership
revenue account equals what was paid less what was refunded.

`loyalty_charges_for_reconciliation` hands billing's statement matching
(settings.PAWPACT_RECONCILIATION_CHARGES) the charges loyalty sent to a rail: membership
periods, top-ups and the cash part of mall redemptions; otherwise a provider's statement
would list them as money our books do not show. Their refunds reach it as RailRefund rows.
"""
from __future__ import annotations

from django.db.models import Sum

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.models import LedgerLine, RailRefund
from pawpact.billing.services.reconciliation import ChargeRecord
from pawpact.loyalty.paid_models import ChargeStatus, PaidCharge
from pawpact.loyalty.wallet_models import Redemption, RedemptionStatus, TopUp, TopUpStatus

_LISTED = 5  # problems name at most this many keys each


def _cash_by_key(kind: str) -> dict[str, int]:
    lines = LedgerLine.objects.filter(journal__kind=kind, account=LedgerAccount.STORE_CASH)
    return dict(lines.values_list("journal__idempotency_key", "amount_minor"))


def _named(keys) -> str:
    keys = sorted(keys)
    return ", ".join(keys[:_LISTED]) + (" …" if len(keys) > _LISTED else "")


def _charge_problems(paid_cash: dict[str, int]) -> tuple[list[str], int]:
    problems, expected, total = [], set(), 0
    wrong = []
    for key, amount in PaidCharge.objects.filter(status=ChargeStatus.PAID).values_list("charge_key", "amount_minor"):
        journal_key = f"{JournalKind.MEMBERSHIP_PAID}:{key}"
        expected.add(journal_key)
        total += amount
        if paid_cash.get(journal_key) != amount:
            wrong.append(journal_key)
    if wrong:
        problems.append(f"{len(wrong)} paid membership charge(s) without their journal at their amount: {_named(wrong)}")
    stray = set(paid_cash) - expected
    if stray:
        problems.append(f"{len(stray)} 'membership paid' journal(s) without a paid charge: {_named(stray)}")
    return problems, total


def _refund_problems(refund_cash: dict[str, int]) -> tuple[list[str], int]:
    problems, expected, total = [], set(), 0
    wrong, unrecorded = [], []
    refunded = PaidCharge.objects.filter(refunded_at__isnull=False).values_list("refund_key", "amount_minor")
    recorded = set(RailRefund.objects.filter(purpose="membership_refund").values_list("idempotency_key", flat=True))
    for key, amount in refunded:
        expected.add(key)
        total += amount
        if refund_cash.get(key) != -amount:
            wrong.append(key)
        if key not in recorded:
            unrecorded.append(key)
    if wrong:
        problems.append(f"{len(wrong)} refunded membership charge(s) without their journal at their amount: "
                        f"{_named(wrong)}")  # fmt: skip
    if unrecorded:
        problems.append(f"{len(unrecorded)} membership refund(s) without the provider's record: {_named(unrecorded)}")
    stray = set(refund_cash) - expected
    if stray:
        problems.append(f"{len(stray)} 'membership refunded' journal(s) without a refunded charge: {_named(stray)}")
    return problems, total


def membership_ledger_problems() -> list[str]:
    """What is wrong in the current shop's membership books (empty when all is well)."""
    charge_problems, paid = _charge_problems(_cash_by_key(JournalKind.MEMBERSHIP_PAID))
    refund_problems, refunded = _refund_problems(_cash_by_key(JournalKind.MEMBERSHIP_REFUNDED))
    problems = charge_problems + refund_problems
    revenue = LedgerLine.objects.filter(account=LedgerAccount.MEMBERSHIP_REVENUE).aggregate(
        total=Sum("amount_minor"))["total"] or 0  # fmt: skip
    if -revenue != paid - refunded:
        problems.append(f"membership revenue {-revenue} != charges paid {paid} − refunded {refunded}")
    return problems


def loyalty_charges_for_reconciliation(*, rail: str, livemode: bool, start, end) -> list[ChargeRecord]:
    """Every charge loyalty sent to `rail` in one mode (any state): a paid one with its amount
    and when it was recorded, the others as sent but not moved."""
    charges = PaidCharge.objects.filter(payment_method__rail=rail, payment_method__livemode=livemode).values_list(
        "charge_key", "status", "amount_minor", "finished_at", "membership__customer__name")  # fmt: skip
    records = [ChargeRecord(key, amount if status == ChargeStatus.PAID else 0,
                            finished if status == ChargeStatus.PAID else None, customer)
               for key, status, amount, finished, customer in charges]  # fmt: skip
    topups = TopUp.objects.filter(payment_method__rail=rail, payment_method__livemode=livemode).values_list(
        "charge_key", "status", "amount_minor", "finished_at", "customer__name")  # fmt: skip
    records += [ChargeRecord(key, amount if status == TopUpStatus.PAID else 0,
                             finished if status == TopUpStatus.PAID else None, customer)
                for key, status, amount, finished, customer in topups]  # fmt: skip
    taken = (RedemptionStatus.REDEEMED, RedemptionStatus.HANDED_OVER)
    redemptions = Redemption.objects.filter(payment_method__rail=rail, payment_method__livemode=livemode,
                                            cash_minor__gt=0).exclude(charge_key="").values_list(
        "charge_key", "status", "cash_minor", "finished_at", "customer__name")  # fmt: skip
    records += [ChargeRecord(key, amount if status in taken else 0, finished if status in taken else None, customer)
                for key, status, amount, finished, customer in redemptions]  # fmt: skip
    return records
