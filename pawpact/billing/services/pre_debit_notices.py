"""Pre-debit notices: the rail tells the customer before it lets us debit.

WeChat entrusted debits require one before each debit (the rail policy's
`pre_debit_notice_days`), sent between 07:00 and 22:00 Beijing time, for at most the
amount then debited. `pre_debit_notice_run` sends it for every period due within the
notice window that has none yet, and records `pre_debit_noticed_at`; the debit waits
until the notice is that many days old (`period_notice_ok`). A rerun sends nothing again.
Each notice given is also told to the customer in the app (`pre_debit_notice_tell`): what
WeChat announced, the amount and the day it will be debited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.billing.services.debits import COLLECTABLE_PERIOD_STATUSES
from pawpact.billing.clock_scope import clock_scope_q
from pawpact.core.clock import Clock, default_clock, local_date
from pawpact.core.errors import DomainError
from pawpact.core.money import Money
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.payments.policies import RAIL_POLICIES, is_within_allowed_hours
from pawpact.payments.registry import rail_for
from pawpact.payments.wechat import WechatRail

logger = logging.getLogger(__name__)

PRE_DEBIT_NOTICE_TOPIC = "pre_debit_notice"
DEPOSIT_NOTICE = "deposit"


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
            ).select_related("contract__payment_method", "contract__customer", "contract__pet").order_by("due_date", "id")
        )  # fmt: skip
        for period in periods:
            if _notice_send(period=period, clock=clock):
                report.sent += 1
            else:
                report.failed += 1
    return report


def _notice_send(*, period: DebitPeriod, clock: Clock) -> bool:
    now = clock.now()
    method = period.contract.payment_method
    try:
        adapter = rail_for(method.rail, livemode=period.contract.livemode)
        if isinstance(adapter, WechatRail):
            adapter.pre_debit_notify(contract_id=method.token, amount=Money(period.amount_minor, period.currency))
    except DomainError as error:
        logger.warning("pre-debit notice for period %s not sent: %s", period.pk, error.message)
        return False
    with transaction.atomic():
        if DebitPeriod.objects.filter(pk=period.pk, pre_debit_noticed_at__isnull=True).update(pre_debit_noticed_at=now):
            debit_on = noticed_debit_day(noticed_at=now, rail=method.rail, due_date=period.due_date)
            pre_debit_notice_tell(contract=period.contract, what=period.number, amount_minor=period.amount_minor,
                                  debit_on=debit_on, clock=clock)  # fmt: skip
    return True


def noticed_debit_day(*, noticed_at: datetime, rail: str, due_date: date | None = None) -> date:
    """The day a debit announced at `noticed_at` is taken: once the notice is old enough
    (`period_notice_ok`), and not before the period's own due day."""
    policy = RAIL_POLICIES.get(rail)
    day = local_date(noticed_at) + timedelta(days=(policy.pre_debit_notice_days or 0) if policy else 0)
    return max(day, due_date) if due_date is not None else day


def pre_debit_notice_tell(
    *, contract: Contract, what: int | str, amount_minor: int, debit_on: date, clock: Clock = default_clock
) -> None:
    """Tell the customer, in their language, what WeChat Pay's notice announced: the deposit
    (`what` DEPOSIT_NOTICE) or period `what`, its amount and day. Once per notice."""
    customer = contract.customer
    with translation.override(customer.message_language):
        values = {"pet": contract.pet.name, "amount": Money(amount_minor, contract.currency).format(),
                  "date": debit_on.isoformat(), "n": what}  # fmt: skip
        if what == DEPOSIT_NOTICE:
            body = _("WeChat Pay's pre-debit notice: the deposit of %(amount)s for %(pet)s's plan will be debited"
                     " on %(date)s.") % values
        else:
            body = _("WeChat Pay's pre-debit notice: period %(n)s of %(amount)s for %(pet)s's plan will be"
                     " debited on %(date)s.") % values
        message_send(customer=customer, topic=PRE_DEBIT_NOTICE_TOPIC, category=Category.SERVICE,
                     channels=[Channel.IN_APP], subject=_("WeChat Pay's pre-debit notice"), body=body,
                     dedupe_key=f"{PRE_DEBIT_NOTICE_TOPIC}:{contract.uuid}:{what}", clock=clock)  # fmt: skip
