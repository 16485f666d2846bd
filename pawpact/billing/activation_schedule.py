"""When a signed contract's first money moves: the one answer every page shows.

The queued activation (services.queued_activation) debits a WeChat contract only after a
pre-debit notice given the day before, one debit per notice, within 07:00–22:00 Beijing
time: the deposit's notice first, the deposit the day after, then period 1's notice (sent
right after the deposit is in) and period 1 the day after that, which starts the plan. A
rail without notices (Alipay, cards) takes the deposit and period 1 at once. The dates here
are those the job will use, so the customer's and the staff's pages cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from pawpact.billing.activation_runs import QUEUED_ACTIVATION_HOURS, QUEUED_ACTIVATION_MINUTES
from pawpact.billing.enums import ContractStatus, DepositStatus
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.core.clock import default_clock
from pawpact.core.money import Money
from pawpact.payments.base import RailPolicy
from pawpact.payments.policies import RAIL_POLICIES, is_within_allowed_hours

DEPOSIT = "deposit"
FIRST_PERIOD = "period"


@dataclass(frozen=True)
class ScheduledDebit:
    what: str  # DEPOSIT or FIRST_PERIOD
    amount_minor: int
    on: date


@dataclass(frozen=True)
class ActivationSchedule:
    rail: str
    currency: str
    debits: tuple[ScheduledDebit, ...]
    starts_on: date
    waits: bool  # the rail's notices hold the start back (False: everything is taken at once)
    # The activation sets Contract.cooling_off_until to the start day plus the plan's days.
    cooling_off_until: date

    @property
    def deposit(self) -> ScheduledDebit | None:
        return next((debit for debit in self.debits if debit.what == DEPOSIT), None)

    @property
    def first_period(self) -> ScheduledDebit:
        return next(debit for debit in self.debits if debit.what == FIRST_PERIOD)

    @property
    def next_debit(self) -> ScheduledDebit:
        return self.debits[0]


def next_window_day(at: datetime, policy: RailPolicy) -> date:
    """The day the rail next lets us send a notice or debit from `at`: today until its window
    closes (22:00 for WeChat), else tomorrow."""
    local = at.astimezone(policy.timezone)
    return local.date() if local.time() < policy.allowed_until else local.date() + timedelta(days=1)


def next_activation_run_day(at: datetime, policy: RailPolicy) -> date:
    """The day of the queued activation job's first run at or after `at` that the rail's hours
    allow (a run outside them sends and debits nothing)."""
    local = at.astimezone(policy.timezone)
    for offset in range(3):
        day = local.date() + timedelta(days=offset)
        for hour in QUEUED_ACTIVATION_HOURS:
            for minute in QUEUED_ACTIVATION_MINUTES:
                run = datetime.combine(day, time(hour, minute), tzinfo=policy.timezone)
                if run >= local and is_within_allowed_hours(at=run, policy=policy):
                    return day
    raise ValueError("the queued activation job never runs within the rail's hours")


def activation_schedule(contract: Contract, *, rail: str = "", clock=default_clock) -> ActivationSchedule | None:
    """The debits that start `contract` and their days, from the queued activation's data.

    A signed contract not yet queued is planned as if queued now on `rail` (the rail the
    customer is about to choose); anything else (a draft, a started or ended contract, no
    rail known) has no schedule."""
    if contract.status != ContractStatus.SIGNED:
        return None
    method = contract.payment_method
    queued = contract.activation_queued_at is not None and method is not None
    rail = method.rail if queued else rail
    policy = RAIL_POLICIES.get(rail)
    if policy is None:
        return None
    days = policy.pre_debit_notice_days or 0
    # Without notices the page takes the money at once; with them every step is the job's.
    today = next_activation_run_day(clock.now(), policy) if days else next_window_day(clock.now(), policy)
    debits = []
    if contract.deposit_status == DepositStatus.DUE and contract.deposit_minor > 0:
        noticed = contract.deposit_noticed_at if queued else None
        deposit_on = max(today, _notice_day(noticed, policy, today) + timedelta(days=days)) if days else today
        debits.append(ScheduledDebit(DEPOSIT, contract.deposit_minor, deposit_on))
        # Period 1's notice goes out once the deposit is in, the same day.
        first_on = deposit_on + timedelta(days=days)
    else:
        period = DebitPeriod.objects.filter(contract=contract, number=1).only("pre_debit_noticed_at").first()
        noticed = period.pre_debit_noticed_at if queued and period is not None else None
        first_on = max(today, _notice_day(noticed, policy, today) + timedelta(days=days)) if days else today
    debits.append(ScheduledDebit(FIRST_PERIOD, contract.monthly_amount_minor, first_on))
    cooling_off_until = first_on + timedelta(days=contract.plan_version.cooling_off_days)
    return ActivationSchedule(
        rail, contract.currency, tuple(debits), first_on, waits=bool(days), cooling_off_until=cooling_off_until
    )


def waiting_schedule(contract: Contract, *, clock=default_clock) -> ActivationSchedule | None:
    """The schedule of a signed contract held back by its rail's pre-debit notices, else None."""
    schedule = activation_schedule(contract, clock=clock)
    return schedule if schedule is not None and schedule.waits else None


def _notice_day(noticed: datetime | None, policy: RailPolicy, today: date) -> date:
    return noticed.astimezone(policy.timezone).date() if noticed is not None else today


def activation_schedule_text(schedule: ActivationSchedule, *, after_colon: bool = False) -> str:
    """"Deposit ¥500.00 will be debited on 2026-12-01, the first month ¥399.00 on 2026-12-02;
    the plan starts on 2026-12-02." in the reader's language (at once: what is taken now).

    `after_colon`: the sentence continues a label ("Waiting for …: deposit …"), so English
    starts it in lower case; Chinese has no case and is unchanged."""
    text = _schedule_sentence(schedule)
    return text[:1].lower() + text[1:] if after_colon else text


def _schedule_sentence(schedule: ActivationSchedule) -> str:
    first = schedule.first_period
    deposit = schedule.deposit
    amounts = {
        "first": Money(first.amount_minor, schedule.currency).format(),
        "first_on": first.on.isoformat(),
        "starts_on": schedule.starts_on.isoformat(),
        "deposit": Money(deposit.amount_minor, schedule.currency).format() if deposit else "",
        "deposit_on": deposit.on.isoformat() if deposit else "",
    }
    if not schedule.waits:
        if deposit:
            return _("The first month of %(first)s and the refundable deposit of %(deposit)s are debited at once;"
                     " the plan starts today.") % amounts
        return _("The first month of %(first)s is debited at once; the plan starts today.") % amounts
    if deposit:
        return _("Deposit %(deposit)s will be debited on %(deposit_on)s, the first month %(first)s on"
                 " %(first_on)s; the plan starts on %(starts_on)s.") % amounts
    return _("The first month %(first)s will be debited on %(first_on)s; the plan starts on %(starts_on)s.") % amounts
