"""The debit calendar (扣款日历): every period's date and amount, generated once at signing."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.errors import AmountOverRailCap, CalendarExists, InvalidPaymentMethod
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.core.months import add_months
from pawpact.payments.policies import debit_not_before, policy_for


def calendar_due_dates(*, first_due_date: date, debit_day: int, periods: int) -> list[date]:
    """Period 1 on the signing day, period n on `debit_day` of the (n-1)-th following month.

    debit_day is 1–28 (a database constraint), so every month has that day.
    """
    return [first_due_date] + [
        add_months(first_due_date, offset, anchor_day=debit_day) for offset in range(1, periods)
    ]


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
        first_due_date=first_due_date, debit_day=contract.plan_version.debit_day, periods=contract.periods
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
