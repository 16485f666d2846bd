"""Stored value against the books. Reads only; part of the shop's ledger check
(settings.PAWPACT_LEDGER_CHECKS, run by `manage.py billing_ledger_check`).

The liabilities on the ledger equal what the accounts say the customers hold (paid and
gift apart), and every refunded leg has its one journal at its amount and, when it went
back through a rail, the provider's refund that reconciliation matches the statement to.
"""
from __future__ import annotations

from django.db.models import Sum

from pawpact.billing.enums import LedgerAccount
from pawpact.billing.models import LedgerLine, RailRefund
from pawpact.loyalty.wallet_models import RefundLegStatus, StoredValueAccount, StoredValueRefundLeg
from pawpact.loyalty.wallet_refunds import PURPOSE

_LISTED = 5


def _ledger(account: LedgerAccount) -> int:
    return LedgerLine.objects.filter(account=account).aggregate(total=Sum("amount_minor"))["total"] or 0


def _named(keys) -> str:
    keys = sorted(keys)
    return ", ".join(keys[:_LISTED]) + (" …" if len(keys) > _LISTED else "")


def stored_value_ledger_problems() -> list[str]:
    """What is wrong in the current shop's stored-value books (empty when all is well)."""
    problems = []
    held = StoredValueAccount.objects.aggregate(paid=Sum("paid_minor"), gift=Sum("gift_minor"))
    for name, account, total in (("paid", LedgerAccount.STORED_VALUE_PAID, held["paid"] or 0),
                                 ("gift", LedgerAccount.STORED_VALUE_GIFT, held["gift"] or 0)):  # fmt: skip
        if -_ledger(account) != total:
            problems.append(f"stored value ({name}) on the ledger {-_ledger(account)} != the accounts' {total}")
    legs = StoredValueRefundLeg.objects.filter(status=RefundLegStatus.REFUNDED)
    cash = dict(LedgerLine.objects.filter(journal__idempotency_key__in=legs.values("key"), account=LedgerAccount.STORE_CASH)
                .values_list("journal__idempotency_key", "amount_minor"))  # fmt: skip
    recorded = set(RailRefund.objects.filter(purpose=PURPOSE).values_list("idempotency_key", flat=True))
    wrong, unrecorded = [], []
    for key, amount, method in legs.values_list("key", "amount_minor", "payment_method_id"):
        if cash.get(key) != -amount:
            wrong.append(key)
        if method is not None and key not in recorded:
            unrecorded.append(key)
    if wrong:
        problems.append(f"{len(wrong)} refunded stored-value leg(s) without their journal at their amount: {_named(wrong)}")
    if unrecorded:
        problems.append(f"{len(unrecorded)} stored-value refund(s) through a rail without the provider's record: "
                        f"{_named(unrecorded)}")  # fmt: skip
    return problems
