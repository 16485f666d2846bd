"""The shop's double-entry ledger: every money movement is one balanced journal.

Lines are debit-positive: a positive amount debits the account, a negative one
credits it; the lines of a journal sum to zero. A journal's idempotency key is
unique, so posting the same movement twice returns the first journal.
"""
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum

from pawpact.billing.enums import LedgerAccount
from pawpact.billing.errors import UnbalancedJournal
from pawpact.billing.models import Contract, DebitAttempt, Journal, LedgerLine


@dataclass(frozen=True)
class Line:
    account: LedgerAccount
    amount_minor: int


def journal_post(
    *,
    key: str,
    kind: str,
    lines: Sequence[Line],
    currency: str = "CNY",
    contract: Contract | None = None,
    attempt: DebitAttempt | None = None,
    memo: str = "",
) -> Journal:
    """Post a balanced journal once; a repeated key returns the journal already posted."""
    if sum(line.amount_minor for line in lines) != 0 or not lines:
        raise UnbalancedJournal(f"Journal {key} does not balance: {lines}")
    if any(line.amount_minor == 0 for line in lines):
        raise UnbalancedJournal(f"Journal {key} has an empty line.")
    existing = Journal.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            journal = Journal.objects.create(
                idempotency_key=key, kind=kind, memo=memo, contract=contract, attempt=attempt
            )
            LedgerLine.objects.bulk_create(
                LedgerLine(
                    journal=journal,
                    account=line.account,
                    amount_minor=line.amount_minor,
                    currency=currency,
                    contract=contract,
                )
                for line in lines
            )
    except IntegrityError:
        # A concurrent poster won the key: theirs is the movement.
        return Journal.objects.get(idempotency_key=key)
    return journal


def account_balances(*, contract: Contract | None = None) -> dict[str, int]:
    """Balance of every account (debit-positive), for the shop or one contract."""
    lines = LedgerLine.objects.all()
    if contract is not None:
        lines = lines.filter(contract=contract)
    return {row["account"]: row["total"] for row in lines.values("account").annotate(total=Sum("amount_minor"))}


def unbalanced_journals() -> list[str]:
    """Keys of journals whose lines do not sum to zero (there should be none)."""
    return list(
        Journal.objects.annotate(total=Sum("lines__amount_minor"))
        .exclude(total=0)
        .values_list("idempotency_key", flat=True)
    )
