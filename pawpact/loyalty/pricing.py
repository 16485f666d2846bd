"""The member's discount on goods at the shop's checkout: the better of the tier's and the
paid membership's goods discount (never both: a shop gives its best member price once),
plus, on the shop's member day, the shop's extra and the paid membership's extra.

The coupon comes on top of it (loyalty/checkout.py, the storefront's pricing hook).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.benefits import member_day_today
from pawpact.loyalty.models import Membership
from pawpact.loyalty.paid_models import LIVE, PaidMembership


@dataclass(frozen=True)
class TierDiscount:
    amount_minor: int = 0
    label: str = ""


def tier_discount_percent(*, customer: Customer) -> tuple[int, str]:
    """(goods discount %, tier name) of the member's tier; (0, "") without one or while held."""
    membership = Membership.objects.select_related("tier").filter(customer=customer).first()
    if membership is None or membership.tier is None:
        return 0, ""
    return membership.tier.goods_discount_percent, membership.tier.display_name


def paid_plan_of(*, customer: Customer):
    """The plan of the customer's live paid membership, or None."""
    membership = PaidMembership.objects.select_related("plan").filter(customer=customer, status__in=LIVE).first()
    return membership.plan if membership else None


def tier_discount(
    *, customer: Customer, subtotal_minor: int, coupon_code: str = "", clock: Clock = default_clock
) -> TierDiscount:
    """The better goods discount % of the tier and the paid membership, plus the member day's
    extras on the shop's member day, of the subtotal; rounded down to the fen (the shop never
    gives more than the rates)."""
    if customer is None or subtotal_minor <= 0:
        return TierDiscount()
    percent, name = tier_discount_percent(customer=customer)
    plan = paid_plan_of(customer=customer)
    if plan is not None and plan.goods_discount_percent > percent:
        percent, name = plan.goods_discount_percent, plan.name
    labels = [_("%(tier)s member: %(percent)d%% off goods") % {"tier": name, "percent": percent}] if percent else []
    member_day = member_day_today(clock=clock)
    if member_day is not None:
        extra = member_day.member_day_discount_percent + (plan.member_day_extra_percent if plan else 0)
        if extra:
            percent += extra
            labels.append(_("member day: %(percent)d%% off") % {"percent": extra})
    amount = subtotal_minor * min(percent, 100) // 100
    if not amount:
        return TierDiscount()
    return TierDiscount(amount, "; ".join(labels))

