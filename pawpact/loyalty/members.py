"""What staff and customers read of members: the filtered list, members per tier, and a
member's way to the next tier (what is missing, in yuan, months or visits).

Reads only; the tier ladder is the active rule set's (pawpact.loyalty.evaluation).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.evaluation import STREAK_LIFT, _window_start, active_rule_set
from pawpact.loyalty.models import Activity, ActivityKind, Membership, PointsEntry, Tier, TierBasis, TierChange

ORDERINGS = {
    "name": ("customer__name", "id"), "-points": ("-points_balance", "id"), "-tier": ("-tier_rank", "id"),
    "-activity": ("-last_activity", "id"), "-rfm": ("-rfm_total", "id"),
}  # fmt: skip


def member_list(*, query: str = "", tier_rank: int | None = None, rfm_min: int | None = None,
                frozen_only: bool = False, ordering: str = "name") -> QuerySet[Membership]:  # fmt: skip
    """The shop's members with their tier, points, RFM and last activity, filtered."""
    last = Activity.objects.filter(customer_id=OuterRef("customer_id")).order_by("-occurred_at").values("occurred_at")[:1]
    members = Membership.objects.select_related("customer", "tier").annotate(
        last_activity=Subquery(last),
        rfm_total=Coalesce("rfm_recency", 0) + Coalesce("rfm_frequency", 0) + Coalesce("rfm_monetary", 0),
    )
    if query:
        members = members.filter(Q(customer__name__icontains=query) | Q(customer__phone__contains=query))
    if tier_rank is not None:
        members = members.filter(tier_rank=tier_rank)
    if rfm_min:
        members = members.filter(rfm_total__gte=rfm_min)
    if frozen_only:
        members = members.filter(points_frozen__gt=0)
    return members.order_by(*ORDERINGS.get(ordering, ORDERINGS["name"]))


def tier_counts() -> list[tuple[str, int]]:
    """Members per tier of the active rule set (entry level first), and those below it."""
    rule_set = active_rule_set()
    counts = dict(Membership.objects.values_list("tier_rank").annotate(n=Count("id")).values_list("tier_rank", "n"))
    rows = []
    if rule_set is not None:
        rows = [(tier.display_name, counts.get(tier.rank, 0)) for tier in rule_set.tiers.order_by("rank")]
    return [("", sum(n for rank, n in counts.items() if rank < 0)), *rows]


def tier_history(*, customer: Customer) -> QuerySet[TierChange]:
    """The member's moves between tiers, newest first."""
    return TierChange.objects.filter(customer=customer).select_related("tier").order_by("-changed_on", "-id")


def member_points(*, customer: Customer) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(customer=customer).order_by("-occurred_at", "-id")


def points_expiring(*, customer: Customer) -> list[tuple]:
    """(date, points) of the spendable points left, by the day they expire."""
    return list(
        PointsEntry.objects.filter(customer=customer, remaining__gt=0, frozen=False, expires_on__isnull=False)
        .values_list("expires_on").annotate(points=Sum("remaining")).order_by("expires_on")
    )


@dataclass(frozen=True)
class Missing:
    kind: str  # "spend_minor", "paid_months", "visits"
    amount: int
    window_months: int | None = None


@dataclass(frozen=True)
class Progress:
    tier: Tier | None
    next_tier: Tier | None
    missing: list[Missing]  # any one of them reaches the next tier
    streak: int
    streak_lift: int = STREAK_LIFT


def _metrics(customer: Customer, tier: Tier, today) -> dict:
    since = _window_start(today, tier.window_months)
    rows = Activity.objects.filter(customer=customer)
    if since is not None:
        rows = rows.filter(occurred_at__date__gte=since)
    return rows.aggregate(
        paid_months=Count("id", filter=Q(kind=ActivityKind.DEBIT)),
        spend=Coalesce(Sum("amount_minor", filter=Q(kind__in=(ActivityKind.DEBIT, ActivityKind.ORDER))), 0),
        visits=Count("id", filter=Q(kind__in=(ActivityKind.ORDER, ActivityKind.VISIT))),
    )


def _streak(customer: Customer) -> int:
    debits = Activity.objects.filter(customer=customer, kind=ActivityKind.DEBIT)
    last_late = debits.filter(on_time=False).aggregate(at=Max("occurred_at"))["at"]
    return debits.filter(on_time=True, **({"occurred_at__gt": last_late} if last_late else {})).count()


def member_progress(*, customer: Customer, clock: Clock = default_clock) -> Progress:
    """The member's tier and what is missing for the next one under the active rules."""
    rule_set = active_rule_set()
    membership = Membership.objects.select_related("tier").filter(customer=customer).first()
    rank = membership.tier_rank if membership else -1
    tier = membership.tier if membership else None
    if rule_set is None:
        return Progress(tier=tier, next_tier=None, missing=[], streak=0)
    next_tier = rule_set.tiers.filter(rank__gt=rank).order_by("rank").first()
    if next_tier is None:
        return Progress(tier=tier, next_tier=None, missing=[], streak=_streak(customer))
    done = _metrics(customer, next_tier, clock.today())
    missing = []
    if rule_set.basis == TierBasis.PAID_MONTHS and next_tier.min_paid_months is not None:
        missing.append(Missing("paid_months", max(0, next_tier.min_paid_months - done["paid_months"])))
    if rule_set.basis == TierBasis.SPEND_VISITS:
        if next_tier.min_spend_minor is not None:
            missing.append(Missing("spend_minor", max(0, next_tier.min_spend_minor - done["spend"]),
                                   next_tier.window_months))  # fmt: skip
        if next_tier.min_visits is not None:
            missing.append(Missing("visits", max(0, next_tier.min_visits - done["visits"]), next_tier.window_months))
    return Progress(tier=tier, next_tier=next_tier, missing=missing, streak=_streak(customer))
