"""Pre-debit notices: the rail tells the customer before it lets us debit.

WeChat entrusted debits require one before each debit (the rail policy's
`pre_debit_notice_days`), sent between 07:00 and 22:00 Beijing time, for at most the
amount then debited. `pre_debit_notice_run` sends it for every period due within the
notice window that has none yet, and records `pre_debit_noticed_at`; the debit waits
until the notice is that many days old (`period_notice_ok`). A rerun sends nothing again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.debits import COLLECTABLE_PERIOD_STATUSES
from pawpact.billing.clock_scope import clock_scope_q
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.core.money import Money
from pawpact.payments.policies import RAIL_POLICIES, is_within_allowed_hours
from pawpact.payments.registry import rail_for
from pawpact.payments.wechat import WechatRail

logger = logging.getLogger(__name__)


@dataclass
class NoticeReport:
    sent: int = 0
    failed: int = 0


def notice_pending_q() -> Q:
    """Periods on rails that need a notice, whose notice is not yet sent."""
    rails = [rail for rail, policy in RAIL_POLICIES.items() if policy.pre_debit_notice_days]
    return Q(contract__payment_method__rail__in=rails, pre_debit_noticed_at__isnull=True)


def pre_debit_notice_run(*, clock: Clock = default_clock) -> NoticeReport:
    """Send the notices due now in the current shop (a provider refusal is retried next run)."""
    now = clock.now()
    report = NoticeReport()
    for rail, policy in RAIL_POLICIES.items():
        if not policy.pre_debit_notice_days or not is_within_allowed_hours(at=now, policy=policy):
            continue
        horizon = (now + timedelta(days=policy.pre_debit_notice_days + 1)).date()
        periods = (
            DebitPeriod.objects.filter(
                notice_pending_q(), clock_scope_q(clock), contract__payment_method__rail=rail, due_date__lte=horizon,
                status__in=COLLECTABLE_PERIOD_STATUSES,
                contract__status__in=(ContractStatus.ACTIVE, ContractStatus.SIGNED),
            ).select_related("contract__payment_method").order_by("due_date", "id")
        )  # fmt: skip
        for period in periods:
            if _notice_send(period=period, now=now):
                report.sent += 1
            else:
                report.failed += 1
    return report


def _notice_send(*, period: DebitPeriod, now: datetime) -> bool:
    method = period.contract.payment_method
    try:
        adapter = rail_for(method.rail, livemode=period.contract.livemode)
        if isinstance(adapter, WechatRail):
            adapter.pre_debit_notify(contract_id=method.token, amount=Money(period.amount_minor, period.currency))
    except DomainError as error:
        logger.warning("pre-debit notice for period %s not sent: %s", period.pk, error.message)
        return False
    DebitPeriod.objects.filter(pk=period.pk, pre_debit_noticed_at__isnull=True).update(pre_debit_noticed_at=now)
    return True
