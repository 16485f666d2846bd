"""A credit against a contract's next debit: how loyalty's money effects (the win-back
first month, a coupon's amount off) reach the books without loyalty writing billing's
tables.

The credit lowers the first unpaid period after period 1 whose amount stays above zero
(period 1 is collected at activation, so it is never the one credited), lowers the
contract's total by the same, and posts a balanced journal (DEFERRED_REVENUE +x,
RECEIVABLE −x) under the caller's idempotency key: a retry with the same key returns
the journal already posted and moves nothing twice.
"""
import logging

from django.db import transaction
from django.db.models import F

from pawpact.billing.enums import ContractStatus, JournalKind, LedgerAccount, PeriodStatus
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import Contract, DebitPeriod, Journal

logger = logging.getLogger(__name__)

CREDITABLE_PERIOD_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED)


def next_debit_credit_apply(
    *, contract: Contract, amount_minor: int, key: str, kind: JournalKind, memo: str
) -> Journal | None:
    """Credit `amount_minor` against the active contract's next debit; once per key.

    The journal (new or posted before under `key`); None when the contract is not active,
    the amount is not positive, or no later period is large enough to take it."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        existing = Journal.objects.filter(idempotency_key=key).first()
        if existing is not None or locked.status != ContractStatus.ACTIVE or amount_minor <= 0:
            return existing
        period = (
            DebitPeriod.objects.select_for_update()
            .filter(contract=locked, number__gt=1, status__in=CREDITABLE_PERIOD_STATUSES, amount_minor__gt=amount_minor)
            .order_by("number")
            .first()
        )
        if period is None:
            logger.warning("Contract %s: no period to credit %s against", locked.uuid, key)
            return None
        DebitPeriod.objects.filter(pk=period.pk).update(amount_minor=F("amount_minor") - amount_minor)
        Contract.objects.filter(pk=locked.pk).update(total_minor=F("total_minor") - amount_minor)
        return journal_post(
            key=key,
            kind=kind,
            lines=[Line(LedgerAccount.DEFERRED_REVENUE, amount_minor), Line(LedgerAccount.RECEIVABLE, -amount_minor)],
            currency=locked.currency,
            contract=locked,
            memo=f"{memo}, credited on period {period.number}",
        )
