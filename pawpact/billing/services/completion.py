"""Completion: a contract whose every period is paid ends as COMPLETED, its deposit refunded.

Run daily per shop (`completion_run_shop`, from termination_tasks, at 06:30 Beijing:
after the night's debit run, so a last period debited that night completes the same
morning). Idempotent: a completed contract is no longer ACTIVE and is not picked again.

A completed contract whose renewal offer was accepted gets its renewal contract at once
(renewal.renewal_contract_create: a draft linked to the old contract, for the signing
flow); the daily renewal run would also catch it.
"""
import logging
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from pawpact.billing.clock_scope import clock_scope_q
from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import Contract, DebitPeriod, RenewalOffer
from pawpact.billing.services.renewal import renewal_contract_create
from pawpact.billing.services.termination import OPEN_PERIOD_STATUSES, contract_complete
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError

logger = logging.getLogger(__name__)


def contract_completable_list(*, clock: Clock = default_clock):
    """Active contracts with a calendar, nothing left to collect, and at least one paid period,
    of those a run on `clock` acts for (a test clock completes its own contracts only)."""
    open_period = DebitPeriod.objects.filter(contract=OuterRef("pk"), status__in=OPEN_PERIOD_STATUSES)
    paid_period = DebitPeriod.objects.filter(contract=OuterRef("pk"), status=PeriodStatus.PAID)
    return (
        Contract.objects.filter(clock_scope_q(clock, prefix=""), status=ContractStatus.ACTIVE)
        .filter(Exists(paid_period))
        .filter(~Exists(open_period))
        .order_by("id")
    )


@dataclass
class CompletionReport:
    completed: list[str] = field(default_factory=list)  # contract uuids
    failed: list[str] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)  # uuids of the renewal contracts created


def completion_run_shop(*, clock: Clock = default_clock) -> CompletionReport:
    """Complete every contract of the current shop whose last period is paid."""
    report = CompletionReport()
    for contract in contract_completable_list(clock=clock):
        try:
            contract_complete(contract=contract, clock=clock)
        except DomainError:
            # Changed since it was listed (ended another way, a debit in flight): the next run sees it.
            logger.exception("Completing contract %s failed; retried by the next run", contract.uuid)
            report.failed.append(str(contract.uuid))
            continue
        report.completed.append(str(contract.uuid))
        offer = RenewalOffer.objects.filter(contract=contract, accepted_at__isnull=False).first()
        if offer is not None:
            try:
                renewal = renewal_contract_create(offer=offer, clock=clock)
            except DomainError:
                logger.exception("Renewal contract of %s not created; the renewal run retries", contract.uuid)
                continue
            if renewal is not None:
                report.renewed.append(str(renewal.uuid))
    return report
