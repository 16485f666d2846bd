"""Escalation of an overdue customer, and the staff call queue it fills.

The customer's oldest overdue period anchors the dunning; on its day n overdue every
step of BillingSettings.escalation_steps with day ≤ n is applied once: "sms" → a
service SMS (dedupe key per period and step), "call"/"visit" → a CallTask (unique per
period and kind) in the staff work queue. The first time a contract has an overdue
period and never had a deferral coupon, one is issued automatically (SPEC "overdue →
deferral coupon") and announced in-app. Staff close call tasks with an outcome note."""
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import (
    CallTaskKind,
    CallTaskStatus,
    ContractStatus,
)
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import BillingSettings, CallTask, Contract, DebitPeriod
from pawpact.billing.services.deferral import deferral_coupon_issue_on_overdue
from pawpact.billing.services.lifecycle_settings import ESCALATION_ACTIONS
from pawpact.billing.services.standing import (
    StandingRefresh,
    days_overdue,
)
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.core.money import Money
from pawpact.customers.models import Customer
from pawpact.messaging.models import Category, Channel, Message
from pawpact.messaging.services import channel_dedupe_key, message_send

DUNNING_SMS_TOPIC = "dunning_sms"

logger = logging.getLogger(__name__)


DEFERRAL_COUPON_TOPIC = "deferral_coupon_issued"


CALL_TASK_KINDS = {"call": CallTaskKind.CALL, "visit": CallTaskKind.VISIT}


@dataclass(frozen=True)
class EscalationStep:
    day: int
    action: str


def escalation_steps(settings: BillingSettings) -> list[EscalationStep]:
    """The shop's steps, in day order; malformed entries are skipped (and logged)."""
    steps = []
    for raw in settings.escalation_steps or []:
        try:
            step = EscalationStep(day=int(raw["day"]), action=str(raw["action"]))
        except (KeyError, TypeError, ValueError):
            logger.warning("Ignoring malformed escalation step %r", raw)
            continue
        if step.day < 1 or step.action not in ESCALATION_ACTIONS:
            logger.warning("Ignoring escalation step %r", raw)
            continue
        steps.append(step)
    return sorted(steps, key=lambda step: (step.day, step.action))


@dataclass
class EscalationReport:
    sms: int = 0
    tasks: int = 0
    coupons: int = 0


def customer_escalate(
    *, refresh: StandingRefresh, settings: BillingSettings, clock: Clock = default_clock
) -> EscalationReport:
    """Apply the escalation steps due for the customer's oldest overdue period (once each)."""
    report = EscalationReport()
    for contract_id in sorted({period.contract_id for period in refresh.overdue}):
        contract = next(period.contract for period in refresh.overdue if period.contract_id == contract_id)
        if contract.status == ContractStatus.ACTIVE:
            coupon = deferral_coupon_issue_on_overdue(contract=contract, settings=settings, clock=clock)
            if coupon is not None:
                report.coupons += 1
                _deferral_coupon_announce(
                    customer=refresh.customer, contract=contract, coupon_id=coupon.pk, clock=clock
                )
    anchor = refresh.anchor
    if anchor is None or anchor.overdue_since is None:
        return report
    day_now = days_overdue(since=anchor.overdue_since, today=clock.today())
    for step in escalation_steps(settings):
        if step.day > day_now:
            break
        if step.action == "sms":
            report.sms += _dunning_sms_send(customer=refresh.customer, period=anchor, step=step, clock=clock)
        else:
            report.tasks += _call_task_open(customer=refresh.customer, period=anchor, step=step, clock=clock)
    return report


def _dunning_sms_send(*, customer: Customer, period: DebitPeriod, step: EscalationStep, clock: Clock) -> int:
    contract = period.contract
    key = f"dunning:{period.pk}:day{step.day}:sms"
    if message_exists(key):
        return 0
    with translation.override(customer.message_language):
        message_send(
            customer=customer,
            topic=DUNNING_SMS_TOPIC,
            category=Category.SERVICE,
            channels=[Channel.SMS],
            subject=_("Your monthly debit is overdue"),
            body=_(
                "Period %(number)d of %(periods)d, %(amount)s, due %(date)s, has not been paid. Please top up "
                "or add a new payment method in the app. While a payment is overdue, your next shipment is "
                "held and your points are frozen; both resume as soon as it is paid."
            )
            % {
                "number": period.number,
                "periods": contract.periods,
                "amount": Money(period.amount_minor, period.currency).format(),
                "date": period.due_date.isoformat(),
            },
            dedupe_key=key,
            clock=clock,
        )
    return 1


def message_exists(key: str) -> bool:
    return Message.objects.filter(dedupe_key=channel_dedupe_key(key, Channel.SMS)).exists()


def _call_task_open(*, customer: Customer, period: DebitPeriod, step: EscalationStep, clock: Clock) -> int:
    """One task per period and kind (a database constraint): 1 if created now."""
    kind = CALL_TASK_KINDS[step.action]
    if CallTask.objects.filter(period=period, kind=kind).exists():
        return 0
    try:
        with transaction.atomic():
            CallTask.objects.create(
                customer=customer,
                period=period,
                kind=kind,
                due_on=period.overdue_since + timedelta(days=step.day - 1),
                created_at=clock.now(),
            )
    except IntegrityError:
        return 0  # a concurrent run created it
    return 1


def _deferral_coupon_announce(*, customer: Customer, contract: Contract, coupon_id: int, clock: Clock) -> None:
    with translation.override(customer.message_language):
        message_send(
            customer=customer,
            topic=DEFERRAL_COUPON_TOPIC,
            category=Category.SERVICE,
            channels=[Channel.IN_APP],
            subject=_("A deferral coupon for your plan"),
            body=_(
                "You have a one-off deferral coupon for your %(plan)s plan: use it in the app to move "
                "one monthly debit (and every later one) a month later."
            )
            % {"plan": contract.plan_version.plan.display_name},
            dedupe_key=f"{DEFERRAL_COUPON_TOPIC}:{coupon_id}",
            clock=clock,
        )


CALL_TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    CallTaskStatus.OPEN: frozenset({CallTaskStatus.DONE, CallTaskStatus.CANCELLED}),
}


def call_task_list(*, status: str | None = CallTaskStatus.OPEN) -> QuerySet[CallTask]:
    """The work queue: open tasks first by due day (or tasks in `status`; None = all)."""
    tasks = CallTask.objects.select_related("customer", "period__contract", "assigned_to").order_by(
        "due_on", "id"
    )
    return tasks if status is None else tasks.filter(status=status)


def call_task_close(
    *,
    task: CallTask,
    outcome_note: str,
    status: str = CallTaskStatus.DONE,
    staff: User | None = None,
    clock: Clock = default_clock,
) -> CallTask:
    """Record the outcome of a call or visit and close the task (done, or cancelled)."""
    note = outcome_note.strip() if isinstance(outcome_note, str) else ""
    errors: dict[str, list[str]] = {}
    if not note:
        errors["outcome_note"] = [_("Write what happened (the outcome of the call or visit).")]
    elif len(note) > 2000:
        errors["outcome_note"] = [_("Use at most 2000 characters.")]
    if status not in (CallTaskStatus.DONE, CallTaskStatus.CANCELLED):
        errors["status"] = [_("Use done or cancelled.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    with transaction.atomic():
        locked = CallTask.objects.select_for_update().get(pk=task.pk)
        if status not in CALL_TASK_TRANSITIONS.get(locked.status, frozenset()):
            raise IllegalTransition(
                _("This task is %(status)s already; its outcome cannot be recorded again.")
                % {"status": CallTaskStatus(locked.status).label.lower()}
            )
        locked.status = status
        locked.outcome_note = note
        locked.done_at = clock.now()
        if locked.assigned_to_id is None and staff is not None:
            locked.assigned_to = staff
        locked.save(update_fields=["status", "outcome_note", "done_at", "assigned_to"])
    return locked
