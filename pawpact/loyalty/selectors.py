"""Customer segments ("normal / overdue / terminated" in docs/product.md), each customer in at most one:
- **overdue**: standing `overdue` or `default` (whatever their contracts);
- **terminated**: not overdue, no signed or active contract, and their most recently
  ended contract ended by termination (early, pet loss, cooling-off, default);
- **normal**: not overdue, and a signed or active contract, or a most recently ended
  contract that completed.
Customers with only drafts or withdrawn applications are in none.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.core.errors import NotFound
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.loyalty.models import Membership, PointsEntry, QuotaPeriod, Reevaluation

SEGMENT_NORMAL = "normal"
SEGMENT_OVERDUE = "overdue"
SEGMENT_TERMINATED = "terminated"
SEGMENTS = (SEGMENT_NORMAL, SEGMENT_OVERDUE, SEGMENT_TERMINATED)

OVERDUE_STANDINGS = (CustomerStanding.OVERDUE, CustomerStanding.DEFAULT)
RUNNING_STATUSES = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
TERMINATED_STATUSES = (
    ContractStatus.TERMINATED_EARLY,
    ContractStatus.TERMINATED_PET_LOSS,
    ContractStatus.CANCELLED_COOLING_OFF,
    ContractStatus.DEFAULTED,
)
ENDED_STATUSES = (*TERMINATED_STATUSES, ContractStatus.COMPLETED)


def _segment_annotated() -> QuerySet[Customer]:
    running = Contract.objects.filter(customer=OuterRef("pk"), status__in=RUNNING_STATUSES)
    last_ended = (
        Contract.objects.filter(customer=OuterRef("pk"), status__in=ENDED_STATUSES)
        .order_by(F("ended_at").desc(nulls_last=True), "-id")
        .values("status")[:1]
    )
    return Customer.objects.annotate(has_running=Exists(running), last_ended_status=Subquery(last_ended))


def customer_segment_list(*, name: str) -> QuerySet[Customer]:
    """The customers of one segment (normal, overdue, terminated), by name."""
    if name not in SEGMENTS:
        raise NotFound(
            _("Unknown segment: use one of %(names)s.") % {"names": ", ".join(SEGMENTS)},
            fields={"segment": [_("Unknown segment.")]},
        )
    customers = _segment_annotated()
    if name == SEGMENT_OVERDUE:
        customers = customers.filter(standing__in=OVERDUE_STANDINGS)
    elif name == SEGMENT_TERMINATED:
        customers = customers.exclude(standing__in=OVERDUE_STANDINGS).filter(
            has_running=False, last_ended_status__in=TERMINATED_STATUSES
        )
    else:
        customers = customers.exclude(standing__in=OVERDUE_STANDINGS).filter(
            Q(has_running=True) | Q(last_ended_status=ContractStatus.COMPLETED)
        )
    return customers.order_by("name", "id")


def customer_segment(*, customer: Customer) -> str | None:
    """The segment one customer is in, or None."""
    for name in SEGMENTS:
        if customer_segment_list(name=name).filter(pk=customer.pk).exists():
            return name
    return None


def reevaluation_latest() -> Reevaluation | None:
    """The shop's most recent tier re-evaluation (its progress), or None."""
    return Reevaluation.objects.select_related("rule_set").order_by("-created_at", "-id").first()


def membership_get(*, customer: Customer) -> Membership | None:
    return Membership.objects.select_related("tier").filter(customer=customer).first()


def points_history(*, customer: Customer) -> QuerySet[PointsEntry]:
    """The customer's points movements, newest first."""
    return PointsEntry.objects.filter(customer=customer).order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class Benefit:
    """One benefit in force: what the member gets and where it comes from (a tier or a paid plan)."""

    kind: str  # goods_discount, points, birthday_points, free_services, member_day_extra
    value: object
    source: str
    period: str = ""


def _times(multiplier) -> str:
    """1.50 → "1.5", 2.00 → "2": a multiplier as people write it."""
    return format(Decimal(multiplier).normalize(), "f")


def benefits_effective(*, membership: Membership | None, plan) -> list[Benefit]:
    """What a member gets in force, as pricing and the points ledger apply it: the better goods
    discount and points multiplier of the tier and the paid plan, each free-service allowance,
    the paid plan's member-day extra."""
    tier = membership.tier if membership is not None else None
    tier_name = tier.display_name if tier is not None else ""
    found: list[Benefit] = []
    goods = [(tier.goods_discount_percent, tier_name)] if tier is not None else []
    points = [(tier.points_multiplier, tier_name)] if tier is not None else []
    if plan is not None:
        goods.append((plan.goods_discount_percent, plan.name))
        points.append((plan.points_multiplier, plan.name))
    best_goods = max(goods, key=lambda pair: pair[0], default=(0, ""))
    if best_goods[0]:
        found.append(Benefit("goods_discount", best_goods[0], best_goods[1]))
    best_points = max(points, key=lambda pair: pair[0], default=(1, ""))
    if best_points[1]:
        found.append(Benefit("points", _times(best_points[0]), best_points[1]))
    if tier is not None:
        found.append(Benefit("birthday_points", _times(tier.birthday_multiplier), tier_name))
        if tier.free_service_quota:
            found.append(Benefit("free_services", tier.free_service_quota, tier_name, tier.get_quota_period_display()))
    if plan is not None and plan.free_services_per_month:
        found.append(Benefit("free_services", plan.free_services_per_month, plan.name, QuotaPeriod.MONTH.label))
    if plan is not None and plan.member_day_extra_percent:
        found.append(Benefit("member_day_extra", plan.member_day_extra_percent, plan.name))
    return found
