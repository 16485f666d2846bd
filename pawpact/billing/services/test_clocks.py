"""Test clocks: a frontend developer moves test-mode contracts through months in seconds.

A clock holds a frozen instant. Contracts attached to it are billed at that instant only:
the real daily runs skip them (pawpact.billing.clock_scope), and advancing the clock runs,
for each day passed, the same jobs the scheduler runs every day at the same local times
(pre-debit notices, reminders, dunning, debits, dunning again), on a clock that reads the
day's time and acts for this clock's contracts only. Every charge keeps its idempotency key
and ledger journal, exactly as at real time, so an advance repeated after a failure never
charges twice. Live mode refuses clocks altogether.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.billing.enums import OPEN_CONTRACT_STATUSES, ContractStatus, PeriodStatus
from pawpact.billing.errors import TestClockAdvanceInvalid, TestClockAttachRefused, TestClockBusy, TestClockInLiveMode
from pawpact.billing.models import Contract, DebitPeriod, RenewalOffer, TestClock
from pawpact.billing.selectors import DUE_PERIOD_STATUSES
from pawpact.billing.services.completion import contract_completable_list, completion_run_shop
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.dunning import dunning_run_shop
from pawpact.billing.services.pre_debit_notices import pre_debit_notice_run
from pawpact.billing.services.reminders import reminder_run_shop
from pawpact.billing.services.renewal import renewal_offer_candidates, renewal_run_shop
from pawpact.core.clock import FixedClock, clock_in_force, local_date, local_midnight
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.payments.policies import RAIL_POLICIES
from pawpact.tenants.modes import current_livemode

MAX_ADVANCE = timedelta(days=400)
# The scheduler's daily times of the billing jobs (pawpact.config.schedules), in local time.
DAILY_RUNS = (
    (time(6, 30), completion_run_shop),
    (time(8, 0), renewal_run_shop),
    (time(8, 5), pre_debit_notice_run),
    (time(9, 0), reminder_run_shop),
    (time(9, 30), dunning_run_shop),
    (time(10, 0), debit_run_shop),
    (time(10, 30), dunning_run_shop),
)
# Periods that make a day busy only near their due date, and those that always do.
QUIET_UNLESS_DUE = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.DEFERRED)
NEVER_QUIET = (PeriodStatus.ATTEMPTED, PeriodStatus.FAILED, PeriodStatus.RETRYING)
# An advance to the next debit stops just after the run that charges it.
NEXT_DEBIT_STOP = time(10, 45)


class TestClockTime(FixedClock):
    """The clock the runs read while a test clock advances: its instant, and which clock it is
    (pawpact.billing.clock_scope limits each run to that clock's contracts)."""

    __test__ = False

    def __init__(self, at: datetime, *, test_clock_id: int) -> None:
        super().__init__(at)
        self.test_clock_id = test_clock_id


def _test_mode_only() -> None:
    if current_livemode():
        raise TestClockInLiveMode(_("Test clocks work in test mode only; live contracts always run on real time."))


def test_clock_create(*, name: str = "", frozen_time: datetime | None = None) -> TestClock:
    """A clock frozen at `frozen_time` (now by default)."""
    _test_mode_only()
    return TestClock.objects.create(name=name, frozen_time=frozen_time or timezone.now())


@transaction.atomic
def test_clock_attach(*, test_clock: TestClock, contract: Contract) -> Contract:
    """From now on the contract is billed at the clock's time only."""
    _test_mode_only()
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.test_clock_id == test_clock.pk:
        return locked
    if locked.livemode or locked.status not in OPEN_CONTRACT_STATUSES or locked.test_clock_id is not None:
        raise TestClockAttachRefused(
            _("Only an open test-mode contract on no other clock can be attached."),
            fields={"contract_id": [_("This contract cannot be attached.")]},
        )
    locked.test_clock = test_clock
    locked.save(update_fields=["test_clock"])
    return locked


@transaction.atomic
def test_clock_attach_customer(*, test_clock: TestClock, customer: Customer) -> list[Contract]:
    """Attach every open test-mode contract of the customer that is on no clock yet."""
    _test_mode_only()
    contracts = list(
        Contract.objects.select_for_update()
        .filter(customer=customer, livemode=False, status__in=OPEN_CONTRACT_STATUSES, test_clock__isnull=True)
        .order_by("id")
    )
    if not contracts:
        raise TestClockAttachRefused(
            _("This customer has no open test-mode contract on no other clock."),
            fields={"customer_id": [_("Nothing to attach.")]},
        )
    Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(test_clock=test_clock)
    return contracts


def test_clock_delete(*, test_clock: TestClock) -> None:
    """Remove the clock; its contracts go back to real time."""
    _test_mode_only()
    test_clock.delete()


def test_clock_next_debit(*, test_clock: TestClock) -> datetime | None:
    """When the clock's next debit is charged: the first debit run at or after the earliest
    due (or retry) of its active contracts after the clock's time."""
    periods = DebitPeriod.objects.filter(contract__test_clock=test_clock, contract__status=ContractStatus.ACTIVE)
    due = periods.filter(status__in=DUE_PERIOD_STATUSES).aggregate(at=Min("not_before"))["at"]
    retry = periods.filter(next_retry_on__isnull=False).aggregate(on=Min("next_retry_on"))["on"]
    candidates = [at for at in (due, retry and local_midnight(retry)) if at is not None]
    if not candidates:
        return None
    first = max(min(candidates), test_clock.frozen_time)
    stop = local_midnight(local_date(first)) + timedelta(hours=NEXT_DEBIT_STOP.hour, minutes=NEXT_DEBIT_STOP.minute)
    return stop if stop > first else stop + timedelta(days=1)


def test_clock_target(
    *, test_clock: TestClock, months: int | None = None, next_debit: bool = False, frozen_time: datetime | None = None
) -> datetime:
    """The instant an advance goes to (exactly one of the three)."""
    given = [value for value in (months, next_debit or None, frozen_time) if value is not None]
    if len(given) != 1:
        raise TestClockAdvanceInvalid(_("Give exactly one of months, next_debit or frozen_time."))
    if months is not None:
        target = test_clock.frozen_time + relativedelta(months=months)
    elif next_debit:
        target = test_clock_next_debit(test_clock=test_clock)
        if target is None:
            raise TestClockAdvanceInvalid(
                _("No debit is due on this clock's contracts."), fields={"next_debit": [_("Nothing to charge.")]}
            )
    else:
        target = frozen_time
    if not test_clock.frozen_time < target <= test_clock.frozen_time + MAX_ADVANCE:
        raise TestClockAdvanceInvalid(
            _("Advance to a time after the clock's and at most 400 days later."),
            fields={"frozen_time": [_("Out of range.")]},
        )
    return target


def _days_between(start: datetime, end: datetime):
    """(day, [(instant, job)…]) for every day with a billing run after `start`, up to `end`."""
    day = local_date(start)
    while local_midnight(day) <= end:
        runs = []
        for at, job in DAILY_RUNS:
            instant = local_midnight(day) + timedelta(hours=at.hour, minutes=at.minute)
            if start < instant <= end:
                runs.append((instant, job))
        if runs:
            yield day, runs
        day += timedelta(days=1)


def _quiet_horizon_days() -> int:
    """How far ahead a due date makes a day busy: the reminder and pre-debit notice windows."""
    notice = max((policy.pre_debit_notice_days or 0 for policy in RAIL_POLICIES.values()), default=0)
    return billing_settings_get().reminder_days_before + notice + 1


def _day_is_quiet(*, test_clock: TestClock, day, horizon_days: int) -> bool:
    """No billing job could change anything of the clock's contracts on `day`: no debit due
    within the reminder and notice windows, nothing failed, late or in flight, every customer
    in good standing, nothing to complete, no renewal offer or renewal contract due. Such days
    are skipped (a year in a few hundred queries)."""
    if not _lifecycle_is_quiet(test_clock=test_clock, day=day):
        return False
    periods = DebitPeriod.objects.filter(contract__test_clock=test_clock)
    busy = (
        Q(status__in=QUIET_UNLESS_DUE, due_date__lte=day + timedelta(days=horizon_days),
          contract__status__in=OPEN_CONTRACT_STATUSES)
        | Q(status__in=NEVER_QUIET)
        | Q(overdue_since__isnull=False)
    )  # fmt: skip
    if periods.filter(busy).exists():
        return False
    return not Customer.objects.filter(contracts__test_clock=test_clock).exclude(standing=CustomerStanding.CURRENT).exists()


def _lifecycle_is_quiet(*, test_clock: TestClock, day) -> bool:
    """Neither the completion run nor the renewal run has anything to do for the clock on `day`."""
    clock = TestClockTime(local_midnight(day), test_clock_id=test_clock.pk)
    if contract_completable_list(clock=clock).exists():
        return False
    pending_renewal = RenewalOffer.objects.filter(
        contract__test_clock=test_clock, accepted_at__isnull=False, renewal_contract__isnull=True,
        contract__status=ContractStatus.COMPLETED,
    )  # fmt: skip
    if pending_renewal.exists():
        return False
    return not renewal_offer_candidates(today=day, clock=clock)


def test_clock_advance(*, test_clock: TestClock, **target) -> TestClock:
    """Move the clock to the target, running every billing job it passes for its contracts."""
    _test_mode_only()
    end = test_clock_target(test_clock=test_clock, **target)
    claimed = TestClock.objects.filter(pk=test_clock.pk, advancing_since__isnull=True).update(
        advancing_since=timezone.now()
    )
    if not claimed:
        raise TestClockBusy(_("This clock is being advanced; try again when it is done."))
    # A clock with nothing attached only moves its time.
    days = _days_between(test_clock.frozen_time, end) if test_clock.contracts.exists() else ()
    horizon_days = _quiet_horizon_days()
    try:
        for day, runs in days:
            if _day_is_quiet(test_clock=test_clock, day=day, horizon_days=horizon_days):
                continue
            for instant, job in runs:
                run_clock = TestClockTime(instant, test_clock_id=test_clock.pk)
                with clock_in_force(run_clock):
                    job(clock=run_clock)
                # Kept as it goes: an advance that fails halfway resumes from the last run done.
                TestClock.objects.filter(pk=test_clock.pk).update(frozen_time=instant)
        TestClock.objects.filter(pk=test_clock.pk).update(frozen_time=end)
    finally:
        TestClock.objects.filter(pk=test_clock.pk).update(advancing_since=None)
    test_clock.refresh_from_db()
    return test_clock
