"""Deferral coupons (延期券): a one-off coupon postpones one period by a month.

Issued by staff (`deferral_coupon_issue`), or automatically the first time a
contract's period becomes overdue if the contract never had one (SPEC §2
"overdue → deferral coupon": `deferral_coupon_issue_on_overdue`, called by the
dunning run). At most BillingSettings.deferrals_per_contract coupons are issued
and used per contract.

Using one (`deferral_use`) moves the chosen period and every later unpaid period
one month later, keeping the day of the month (periods on the 10th move to the
10th of the next month), with `not_before` recomputed through the rail's policy
and the first `original_due_date` kept. The chosen period becomes DEFERRED and
goes back to SCHEDULED when its new date's reminder window opens (new date −
reminder_days_before: see `deferred_periods_release`), so it is reminded and then
debited like any other period; the debit run never charges a DEFERRED period.

Refused with DeferralRefused (422), writing nothing: no unused coupon or the
contract's allowance used up, a period that cannot move (paid, in flight, already
deferred…), the period right after (or before) a deferred one ("never twice in a
row"), a later period that is itself late, or a new date that would not be in the
future (a period overdue by more than a month).

A deferred overdue period is no longer overdue: it gets its period.recovered
outbox row and the customer's standing is refreshed at once (holds released).
"""
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.errors import DeferralRefused, DeferralTwiceInARow, NoDeferralCoupon
from pawpact.billing.models import BillingSettings, Contract, DebitPeriod, DeferralCoupon
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.standing import customer_standing_refresh, period_recovered_emit
from pawpact.billing.clock_scope import clock_scope_q
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.core.months import add_months
from pawpact.payments.base import RailPolicy
from pawpact.payments.policies import debit_not_before, policy_for

DEFERRABLE_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.FAILED, PeriodStatus.RETRYING)
# Later periods move with the deferred one; they must still be waiting for their date.
SHIFTABLE_LATER_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED)
SETTLED_STATUSES = (
    PeriodStatus.PAID,
    PeriodStatus.CANCELLED,
    PeriodStatus.WRITTEN_OFF,
    PeriodStatus.REFUNDED,
    PeriodStatus.PAID_BY_DEPOSIT,
)
OVERDUE_REASON = "overdue"


# --- Issue ----------------------------------------------------------------------------------


def deferral_coupon_issue(
    *, contract: Contract, reason: str = "", settings: BillingSettings | None = None, clock: Clock = default_clock
) -> DeferralCoupon:
    """Staff give the contract a deferral coupon, within the shop's allowance per contract."""
    reason = (reason or "").strip()
    if len(reason) > 80:
        raise ValidationFailed(_("Some fields are invalid."), fields={"reason": [_("Use at most 80 characters.")]})
    settings = settings or billing_settings_get()
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        deferral_coupon_issue_check(contract=locked, settings=settings)
        return DeferralCoupon.objects.create(contract=locked, reason=reason, issued_at=clock.now())


def deferral_coupon_issue_check(*, contract: Contract, settings: BillingSettings) -> None:
    """DeferralRefused unless the contract may get another coupon (also used by the admin form)."""
    _contract_check_active(contract)
    if DeferralCoupon.objects.filter(contract=contract).count() >= settings.deferrals_per_contract:
        raise DeferralRefused(_allowance_message(settings.deferrals_per_contract))


def deferral_coupon_issue_on_overdue(
    *, contract: Contract, settings: BillingSettings, clock: Clock = default_clock
) -> DeferralCoupon | None:
    """The automatic coupon at a contract's first overdue period: only if it never had one."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.status != ContractStatus.ACTIVE or settings.deferrals_per_contract < 1:
            return None
        if DeferralCoupon.objects.filter(contract=locked).exists():
            return None
        return DeferralCoupon.objects.create(contract=locked, reason=OVERDUE_REASON, issued_at=clock.now())


# --- Use ------------------------------------------------------------------------------------


def deferral_use(
    *,
    contract: Contract,
    period_number: int,
    settings: BillingSettings | None = None,
    clock: Clock = default_clock,
) -> DebitPeriod:
    """Use the contract's unused coupon on period `period_number`; the calendar shifts a month."""
    _period_number_check(period_number)
    settings = settings or billing_settings_get()
    today, now = clock.today(), clock.now()
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("customer", "payment_method")
            .get(pk=contract.pk)
        )
        _contract_check_active(locked)
        coupon = _coupon_lock(contract=locked, allowed=settings.deferrals_per_contract)
        period, later = _periods_lock(contract=locked, period_number=period_number)
        _period_check_deferrable(contract=locked, period=period, later=later, today=today)
        _periods_move_a_month([period, *later], policy=policy_for(locked.payment_method.rail))
        period.status = PeriodStatus.DEFERRED
        period.next_retry_on = None
        period.contract = locked
        period_recovered_emit(period=period, customer=locked.customer, at=now)  # if it was overdue
        DebitPeriod.objects.bulk_update(
            [period, *later], ["original_due_date", "due_date", "not_before", "reminded_at", "status", "next_retry_on"]
        )
        coupon.used_on = period
        coupon.used_at = now
        coupon.save(update_fields=["used_on", "used_at"])
    customer_standing_refresh(customer=locked.customer, settings=settings, clock=clock)
    return period


def _period_number_check(period_number: object) -> None:
    if not isinstance(period_number, int) or isinstance(period_number, bool) or period_number < 1:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"period_number": [_("Give the number of a period (1 or more).")]}
        )


def _coupon_lock(*, contract: Contract, allowed: int) -> DeferralCoupon:
    """The contract's oldest unused coupon, locked; refused once `allowed` coupons are used."""
    used = DeferralCoupon.objects.filter(contract=contract, used_on__isnull=False).count()
    if used >= allowed:
        raise DeferralRefused(_allowance_message(allowed))
    coupon = (
        DeferralCoupon.objects.select_for_update()
        .filter(contract=contract, used_on__isnull=True)
        .order_by("id")
        .first()
    )
    if coupon is None:
        raise NoDeferralCoupon(_("This contract has no unused deferral coupon."))
    return coupon


def _periods_lock(*, contract: Contract, period_number: int) -> tuple[DebitPeriod, list[DebitPeriod]]:
    """The period to defer and the later ones still to be settled, all locked."""
    periods = list(
        DebitPeriod.objects.select_for_update().filter(contract=contract, number__gte=period_number).order_by("number")
    )
    if not periods or periods[0].number != period_number:
        raise ValidationFailed(
            _("This contract has no period %(number)d.") % {"number": period_number},
            fields={"period_number": [_("Unknown period.")]},
        )
    return periods[0], [p for p in periods[1:] if p.status not in SETTLED_STATUSES]


def _periods_move_a_month(periods: list[DebitPeriod], *, policy: RailPolicy) -> None:
    """Each period a month later, waiting for its new date; the first signed date is kept."""
    for each in periods:
        each.original_due_date = each.original_due_date or each.due_date
        each.due_date = add_months(each.due_date, 1)
        each.not_before = debit_not_before(due_date=each.due_date, policy=policy)
        each.reminded_at = None
        each.status = PeriodStatus.SCHEDULED


def _contract_check_active(contract: Contract) -> None:
    if contract.status != ContractStatus.ACTIVE:
        raise DeferralRefused(
            _("Only an active contract can defer a period; this one is %(status)s.")
            % {"status": ContractStatus(contract.status).label.lower()}
        )


def _allowance_message(allowed: int) -> str:
    return ngettext(
        "This contract has used its %(count)d deferral: the shop allows %(count)d per contract.",
        "This contract has used its %(count)d deferrals: the shop allows %(count)d per contract.",
        allowed,
    ) % {"count": allowed}


def _period_check_deferrable(*, contract: Contract, period: DebitPeriod, later: list[DebitPeriod], today: date) -> None:
    if period.status not in DEFERRABLE_STATUSES:
        raise DeferralRefused(
            _("Period %(number)d is %(status)s and cannot be deferred.")
            % {"number": period.number, "status": PeriodStatus(period.status).label.lower()}
        )
    neighbour = (
        DeferralCoupon.objects.filter(
            used_on__contract=contract, used_on__number__in=(period.number - 1, period.number + 1)
        )
        .values_list("used_on__number", flat=True)
        .first()
    )
    if neighbour is not None:
        raise DeferralTwiceInARow(
            _(
                "Deferrals cannot be used twice in a row: period %(other)d was deferred, "
                "so period %(number)d cannot be."
            )
            % {"other": neighbour, "number": period.number}
        )
    blocking = [p for p in later if p.status not in SHIFTABLE_LATER_STATUSES]
    if blocking:
        raise DeferralRefused(
            _("Period %(number)d is %(status)s: settle it before deferring an earlier period.")
            % {"number": blocking[0].number, "status": PeriodStatus(blocking[0].status).label.lower()}
        )
    if add_months(period.due_date, 1) <= today:
        raise DeferralRefused(
            _("Period %(number)d was due on %(date)s: a month later is not in the future, so it cannot be deferred.")
            % {"number": period.number, "date": period.due_date.isoformat()}
        )


# --- Release ----------------------------------------------------------------------------------


def deferred_periods_release(*, settings: BillingSettings, clock: Clock = default_clock) -> int:
    """Deferred periods whose reminder window has opened become SCHEDULED again (one statement)."""
    horizon = clock.today() + timedelta(days=settings.reminder_days_before)
    deferred = DebitPeriod.objects.filter(clock_scope_q(clock), status=PeriodStatus.DEFERRED, due_date__lte=horizon)
    return deferred.update(
        status=PeriodStatus.SCHEDULED
    )


# --- Reads ------------------------------------------------------------------------------------


def deferral_coupon_list(*, contract: Contract):
    return DeferralCoupon.objects.filter(contract=contract).select_related("used_on").order_by("id")
