"""What staff read of paid membership: the members (filtered, with what each has paid),
the month's figures (members, revenue, churn) and twelve months of revenue and churn.
Revenue is net of refunds: a refund comes off the month it was given back in, as in the
platform's figures (membership.refunded) and the ledger."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from pawpact.core.clock import Clock, default_clock
from pawpact.core.months import month_add, month_start
from pawpact.loyalty.paid_models import LIVE, ChargeStatus, PaidCharge, PaidMembership, PaidStatus

ENDED = (PaidStatus.ENDED, PaidStatus.LAPSED, PaidStatus.REFUNDED)


def paid_member_list(*, status: str = "", plan_id: int | None = None, query: str = "") -> QuerySet[PaidMembership]:
    """Memberships newest first (failed first payments left out: never members), with `paid_minor`."""
    rows = PaidMembership.objects.exclude(status__in=(PaidStatus.PAYING, PaidStatus.FAILED)).select_related(
        "customer", "plan"
    ).annotate(paid_minor=Coalesce(Sum("charges__amount_minor", filter=Q(charges__status=ChargeStatus.PAID,
                                                                        charges__refunded_at__isnull=True)), 0))
    if status == "live":
        rows = rows.filter(status__in=LIVE)
    elif status in PaidStatus.values:
        rows = rows.filter(status=status)
    if plan_id:
        rows = rows.filter(plan_id=plan_id)
    if query:
        rows = rows.filter(Q(customer__name__icontains=query) | Q(customer__phone__contains=query))
    return rows.order_by("-created_at", "-id")


@dataclass(frozen=True)
class PaidSummary:
    live: int
    trialing: int
    cancelling: int
    revenue_month_minor: int
    ended_month: int
    churn_percent: float  # ended this month of those who were members at some point of it


@dataclass(frozen=True)
class PaidMonth:
    month: date
    revenue_minor: int
    joined: int
    ended: int


def _month_bounds(today: date) -> tuple[date, date]:
    start = month_start(today)
    return start, month_add(start, 1)


def paid_summary(*, clock: Clock = default_clock) -> PaidSummary:
    start, end = _month_bounds(clock.today())
    live = PaidMembership.objects.filter(status__in=LIVE)
    counts = live.aggregate(n=Count("id"), trialing=Count("id", filter=Q(status=PaidStatus.TRIALING)),
                            cancelling=Count("id", filter=Q(cancel_at_period_end=True)))  # fmt: skip
    revenue = PaidCharge.objects.filter(status=ChargeStatus.PAID, finished_at__date__gte=start,
                                        finished_at__date__lt=end).aggregate(total=Sum("amount_minor"))["total"]  # fmt: skip
    refunded = PaidCharge.objects.filter(refunded_at__date__gte=start, refunded_at__date__lt=end).aggregate(
        total=Sum("amount_minor"))["total"]  # fmt: skip
    ended = PaidMembership.objects.filter(status__in=ENDED, ended_at__date__gte=start, ended_at__date__lt=end).count()
    base = counts["n"] + ended
    return PaidSummary(live=counts["n"], trialing=counts["trialing"], cancelling=counts["cancelling"],
                       revenue_month_minor=(revenue or 0) - (refunded or 0), ended_month=ended,
                       churn_percent=round(ended * 100 / base, 1) if base else 0.0)  # fmt: skip


def paid_months(*, months: int = 12, clock: Clock = default_clock) -> list[PaidMonth]:
    """Revenue, new members and ended memberships per month, the last `months` months (oldest first)."""
    first = month_add(month_start(clock.today()), -(months - 1))
    tz = settings.TIME_ZONE
    revenue = _sum_per_month(PaidCharge.objects.filter(status=ChargeStatus.PAID), "finished_at", first, tz)
    for month, refunded in _sum_per_month(PaidCharge.objects.all(), "refunded_at", first, tz).items():
        revenue[month] = revenue.get(month, 0) - refunded
    joined = _per_month(PaidMembership.objects.exclude(status__in=(PaidStatus.PAYING, PaidStatus.FAILED)), "created_at", first, tz)
    ended = _per_month(PaidMembership.objects.filter(status__in=ENDED), "ended_at", first, tz)
    rows = []
    for index in range(months):
        month = month_add(first, index)
        rows.append(PaidMonth(month, revenue.get(month, 0), joined.get(month, 0), ended.get(month, 0)))
    return rows


def _sum_per_month(charges, field: str, first: date, tz: str) -> dict[date, int]:
    summed = (
        charges.filter(**{f"{field}__date__gte": first}).annotate(month=TruncMonth(field, tzinfo=ZoneInfo(tz)))
        .values("month").annotate(total=Sum("amount_minor")).values_list("month", "total")
    )  # fmt: skip
    return {month.date(): total for month, total in summed}


def _per_month(rows, field: str, first: date, tz: str) -> dict[date, int]:
    counted = (
        rows.filter(**{f"{field}__date__gte": first}).annotate(month=TruncMonth(field, tzinfo=ZoneInfo(tz)))
        .values("month").annotate(n=Count("id")).values_list("month", "n")
    )  # fmt: skip
    return {month.date(): n for month, n in counted}
