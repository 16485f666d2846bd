"""Reads for 扣款与催收: each late customer's standing and debt, the owed periods, the coupons."""
from django.db.models import Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from pawpact.billing.enums import CallTaskStatus
from pawpact.billing.models import DebitPeriod, DeferralCoupon
from pawpact.billing.services.standing import DEBT_CONTRACT_STATUSES, DELINQUENT_STATUSES, delinquent_periods_q
from pawpact.customers.models import Customer
from pawpact.workspace.selectors.overview import OVERDUE_STANDINGS as LATE_STANDINGS


def _owed(customer_field: str, aggregate):
    periods = DebitPeriod.objects.filter(delinquent_periods_q(), contract__customer=OuterRef("pk"))
    return Subquery(periods.values(customer_field).annotate(value=aggregate).values("value")[:1])


def dunning_standing_list(*, standing: str = "") -> QuerySet[Customer]:
    """Late customers, longest late first, with what they owe, since when and the open calls."""
    customers = Customer.objects.filter(standing__in=[standing] if standing in LATE_STANDINGS else LATE_STANDINGS)
    return customers.annotate(
        owed_minor=Coalesce(_owed("contract__customer", Sum("amount_minor")), 0, output_field=IntegerField()),
        owed_periods=Coalesce(_owed("contract__customer", Count("id")), 0, output_field=IntegerField()),
        oldest_due=_owed("contract__customer", Min("due_date")),
        open_calls=Count("call_tasks", filter=Q(call_tasks__status=CallTaskStatus.OPEN), distinct=True),
    ).order_by("standing_since", "id")


def owed_period_list() -> QuerySet[DebitPeriod]:
    """Periods still owed after a failed debit (what may be written off), oldest first."""
    return (
        DebitPeriod.objects.filter(status__in=DELINQUENT_STATUSES, contract__status__in=DEBT_CONTRACT_STATUSES)
        .select_related("contract__customer", "contract__plan_version__plan")
        .order_by("due_date", "id")
    )


def deferral_coupon_recent_list() -> QuerySet[DeferralCoupon]:
    return DeferralCoupon.objects.select_related("contract__customer", "used_on").order_by("-issued_at", "-id")
