"""The debit calendar (扣款日历): every period's date and amount, generated once at signing."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.errors import AmountOverRailCap, CalendarExists, InvalidPaymentMethod
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.core.months import add_months
from pawpact.payments.policies import debit_not_before, policy_for


def calendar_due_dates(*, first_due_date: date, debit_day: int, periods: int, min_period_days: int = 0) -> list[date]:
    """Period 1 on the signing day; period 2 on `debit_day` of the first following month
    that is at least `min_period_days` after period 1; then `debit_day` of each month.

    The first regular debit is shifted, not prorated: a rail refuses two debits closer
    than its minimum period whatever their amounts, so a prorated period 2 on the next
    debit day would still be too early, and every period keeps the amount and the total
    the adopter signed; the first stretch is simply longer (by at most a month) and the
    last debit comes a month later.

    debit_day is 1–28 (a database constraint), so every month has that day and every
    later gap is at least 28 days.
    """
    dates = [first_due_date]
    offset = 1
    while (add_months(first_due_date, offset, anchor_day=debit_day) - first_due_date).days < min_period_days:
        offset += 1
    return dates + [add_months(first_due_date, offset + n, anchor_day=debit_day) for n in range(periods - 1)]


def calendar_generate(*, contract: Contract, first_due_date: date) -> list[DebitPeriod]:
    """Write the contract's whole calendar, once. A second call raises CalendarExists."""
    payment_method = contract.payment_method
    if payment_method is None:
        raise InvalidPaymentMethod(_("Attach a payment method before generating the debit calendar."))
    policy = policy_for(payment_method.rail)
    if policy.max_amount_minor is not None and contract.monthly_amount_minor > policy.max_amount_minor:
        raise AmountOverRailCap(
            _("The monthly amount exceeds what this payment method may debit at once."),
            fields={"monthly_amount_minor": [_("Above the payment rail's per-debit cap.")]},
        )
    due_dates = calendar_due_dates(
        first_due_date=first_due_date,
        debit_day=contract.plan_version.debit_day,
        periods=contract.periods,
        min_period_days=policy.min_period_days,
    )
    periods = [
        DebitPeriod(
            contract=contract,
            number=number,
            due_date=due_date,
            amount_minor=contract.monthly_amount_minor,
            currency=contract.currency,
            status=PeriodStatus.SCHEDULED,
            not_before=debit_not_before(due_date=due_date, policy=policy),
        )
        for number, due_date in enumerate(due_dates, start=1)
    ]
    try:
        with transaction.atomic():
            # The lock makes a concurrent second call wait, then see the first one's rows.
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            if DebitPeriod.objects.filter(contract=contract).exists():
                raise CalendarExists(_("This contract already has its debit calendar."))
            return DebitPeriod.objects.bulk_create(periods)
    except IntegrityError as error:
        # period_number_unique: whatever got past the check above, the database refuses it.
        raise CalendarExists(_("This contract already has its debit calendar.")) from error
