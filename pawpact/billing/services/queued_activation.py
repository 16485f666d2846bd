"""Contracts that start by themselves once their rail lets us debit.

A customer who signs an Alipay or WeChat debit agreement may never come back to the signing
page, so the agreement's notification queues the contract (`activation_queued_at`) and
`queued_activation_run` starts it. An Alipay contract starts at the job's next run. WeChat entrusted debits need a pre-debit notice given the day before each debit (the rail
policy's `pre_debit_notice_days`, one debit per notice), so a contract whose customer signed
a WeChat agreement cannot debit on the spot; the job (scheduled within the rail's
07:00–22:00) moves it on:
- with a deposit due: the deposit's notice goes out first (`deposit_noticed_at`); once it is
  old enough the activation collects the deposit and makes the calendar, then stops at
  period 1, whose notice goes out next;
- period 1's notice (pre_debit_notices) once the calendar exists; once it is old enough the
  normal activation debits period 1 and starts the contract.
The customer hears when it starts or when the first debit is refused; the queue mark is
cleared whatever the outcome, so a rerun starts nothing twice and a refused debit is not
retried behind the customer's back (the shop sends a new link, or withdraws).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from pawpact.billing.clock_scope import clock_scope_q
from pawpact.billing.enums import ContractStatus, DepositStatus
from pawpact.billing.errors import DebitNotDue, IllegalTransition, PaymentFailed
from pawpact.payments.errors import PaymentPending
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.billing.services.activation import contract_activate, first_period_ensure
from pawpact.billing.services.debits import period_notice_ok
from pawpact.billing.services.pre_debit_notices import (
    DEPOSIT_NOTICE,
    noticed_debit_day,
    pre_debit_notice_run,
    pre_debit_notice_tell,
)
from pawpact.core.clock import Clock, default_clock, local_date
from pawpact.core.errors import DomainError
from pawpact.core.money import Money
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.payments.policies import is_within_allowed_hours, policy_for
from pawpact.payments.registry import rail_for
from pawpact.payments.wechat import WechatRail

logger = logging.getLogger(__name__)

ACTIVATION_STARTED_TOPIC = "activation_started"
# Words in the customer's messages: the provider's name as the customer knows it.
RAIL_NAMES = {"alipay": _lazy("Alipay"), "wechat": _lazy("WeChat Pay")}
ACTIVATION_FAILED_TOPIC = "activation_failed"


@dataclass
class QueuedActivationReport:
    started: int = 0
    failed: int = 0
    waiting: int = 0


def rail_needs_notice(rail: str) -> bool:
    return bool(policy_for(rail).pre_debit_notice_days)


def deposit_first(contract: Contract) -> bool:
    """Whether the deposit is still to be debited before period 1 (each needs its own notice)."""
    return contract.deposit_status == DepositStatus.DUE and contract.deposit_minor > 0


def activation_queue(*, contract: Contract, clock: Clock = default_clock) -> Contract:
    """Queue a signed contract whose debit agreement is signed. Without a deposit due its
    calendar is made now (period 1 due today) so period 1's notice (if the rail needs one)
    can go out; with one, the deposit's notice goes first and the calendar follows it."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("payment_method").get(pk=contract.pk)
        method = locked.payment_method
        if locked.status != ContractStatus.SIGNED or method is None or not method.is_active:
            raise IllegalTransition(_("Only a signed contract with an active debit agreement can wait to start."))
        if not deposit_first(locked):
            first_period_ensure(contract=locked, clock=clock)
        if locked.activation_queued_at is None:
            locked.activation_queued_at = clock.now()
            locked.save(update_fields=["activation_queued_at"])
    return locked


def queued_notices_send(*, clock: Clock = default_clock) -> None:
    """The notices queued contracts wait for, within the rails' hours: deposits' first, then
    every period's (a rerun sends nothing twice)."""
    now = clock.now()
    waiting = Contract.objects.filter(
        clock_scope_q(clock, prefix=""), status=ContractStatus.SIGNED, activation_queued_at__isnull=False,
        deposit_status=DepositStatus.DUE, deposit_minor__gt=0, deposit_noticed_at__isnull=True,
    ).select_related("payment_method", "customer", "pet")  # fmt: skip
    for contract in waiting:
        method = contract.payment_method
        if method is None or not is_within_allowed_hours(at=now, policy=policy_for(method.rail)):
            continue
        try:
            adapter = rail_for(method.rail, livemode=contract.livemode)
            if isinstance(adapter, WechatRail):
                adapter.pre_debit_notify(contract_id=method.token, amount=Money(contract.deposit_minor, contract.currency))
        except DomainError as error:
            logger.warning("deposit notice of contract %s not sent: %s", contract.pk, error.message)
            continue
        with transaction.atomic():
            if Contract.objects.filter(pk=contract.pk, deposit_noticed_at__isnull=True).update(deposit_noticed_at=now):
                debit_on = noticed_debit_day(noticed_at=now, rail=method.rail)
                pre_debit_notice_tell(contract=contract, what=DEPOSIT_NOTICE, amount_minor=contract.deposit_minor,
                                      debit_on=debit_on, clock=clock)  # fmt: skip
    pre_debit_notice_run(clock=clock)


def queued_activation_run(*, clock: Clock = default_clock) -> QueuedActivationReport:
    """Move on, in the current shop, every queued contract whose notice is old enough.

    Outside the rails' allowed hours nothing is sent or debited. Resumable: an activation
    cut short is resumed by the next run, and rail idempotency keys make sure nothing is
    charged twice.
    """
    report = QueuedActivationReport()
    queued = Contract.objects.filter(clock_scope_q(clock, prefix=""), activation_queued_at__isnull=False)
    if not queued.exists():
        return report
    queued_notices_send(clock=clock)
    for contract in queued.select_related("payment_method", "customer", "pet").order_by("activation_queued_at", "id"):
        if contract.status != ContractStatus.SIGNED or contract.payment_method is None:
            _unqueue(contract)  # started on its page, withdrawn, or its method replaced
            continue
        if not _may_debit_now(contract, now=clock.now()):
            report.waiting += 1
            continue
        outcome = _activate_one(contract=contract, clock=clock)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _may_debit_now(contract: Contract, *, now: datetime) -> bool:
    method = contract.payment_method
    policy = policy_for(method.rail)
    if not is_within_allowed_hours(at=now, policy=policy):
        return False
    if not policy.pre_debit_notice_days:
        return True
    if deposit_first(contract):
        noticed = contract.deposit_noticed_at
        days = policy.pre_debit_notice_days or 0
        return noticed is not None and local_date(noticed) <= local_date(now - timedelta(days=days))
    period = DebitPeriod.objects.filter(contract=contract, number=1).first()
    return period is not None and period_notice_ok(period=period, rail=method.rail, now=now)


def _activate_one(*, contract: Contract, clock: Clock) -> str:
    """"started", "failed" or "waiting" (the deposit is paid and period 1 now waits for its notice)."""
    try:
        contract_activate(contract=contract, clock=clock, queued=True)
    except (PaymentFailed, PaymentPending) as failure:
        _unqueue(contract)
        _tell(contract=contract, topic=ACTIVATION_FAILED_TOPIC, clock=clock, body=_(
            "Your plan for %(pet)s has not started: %(reason)s Please contact %(shop)s."
        ) % {"pet": contract.pet.name, "reason": failure.message, "shop": _shop_name()})  # fmt: skip
        return "failed"
    except DebitNotDue:
        pre_debit_notice_run(clock=clock)  # the deposit is in: period 1's notice goes out now
        return "waiting"
    except IllegalTransition:
        _unqueue(contract)  # it left SIGNED in between (started or withdrawn)
        return "waiting"
    except DomainError as error:
        logger.warning("queued activation of contract %s not done, tried again next run: %s", contract.pk, error.message)
        return "waiting"
    _unqueue(contract)
    amount = Money(contract.monthly_amount_minor, contract.currency).format()
    _tell(contract=contract, topic=ACTIVATION_STARTED_TOPIC, clock=clock, body=_(
        "Your plan for %(pet)s has started: the first monthly debit of %(amount)s was taken through %(rail)s."
    ) % {"pet": contract.pet.name, "amount": amount, "rail": RAIL_NAMES[contract.payment_method.rail]})  # fmt: skip
    return "started"


def _unqueue(contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(activation_queued_at=None)


def _shop_name() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "name", "") or _("the shop")


def _tell(*, contract: Contract, topic: str, body: str, clock: Clock) -> None:
    message_send(
        customer=contract.customer, topic=topic, category=Category.SERVICE, channels=[Channel.SMS],
        subject="", body=body, dedupe_key=f"{topic}:{contract.uuid}", clock=clock,
    )  # fmt: skip
