"""The member's discount on goods at the shop's checkout: the better of the tier's and the
paid membership's goods discount (never both: a shop gives its best member price once),
plus, on the shop's member day, the shop's extra and the paid membership's extra.

The coupon comes on top of it (loyalty/checkout.py, the storefront's pricing hook).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.benefits import SHOP_ROW, member_day_of
from pawpact.loyalty.models import MemberBenefits, Membership, tier_name_display
from pawpact.loyalty.paid_models import LIVE, PaidMembership


@dataclass(frozen=True)
class TierDiscount:
    amount_minor: int = 0
    label: str = ""


@dataclass(frozen=True)
class PricingInputs:
    """What a member's goods discount depends on: the tier's rate, the live paid plan's rates
    and the shop's member day."""

    tier_percent: int = 0
    tier_name: str = ""
    has_plan: bool = False
    plan_percent: int = 0
    plan_name: str = ""
    plan_member_day_extra: int = 0
    member_day: int | None = None
    member_day_percent: int = 0


def pricing_inputs(*, customer: Customer) -> PricingInputs:
    """Everything `tier_discount` needs, in one statement: a buyer's checkout waits for one
    round trip here, not one per input."""
    tier = Membership.objects.filter(customer=OuterRef("pk"), tier__isnull=False).values(
        json=JSONObject(percent="tier__goods_discount_percent", name="tier__name")
    )[:1]
    plan = PaidMembership.objects.filter(customer=OuterRef("pk"), status__in=LIVE).order_by("-created_at", "-id").values(
        json=JSONObject(percent="plan__goods_discount_percent", name="plan__name", extra="plan__member_day_extra_percent")
    )[:1]
    benefits = MemberBenefits.objects.filter(pk=SHOP_ROW).values(
        json=JSONObject(day="member_day", percent="member_day_discount_percent")
    )[:1]
    row = (
        Customer.objects.filter(pk=customer.pk)
        .values(tier=Subquery(tier), plan=Subquery(plan), benefits=Subquery(benefits))
        .first()
    ) or {}
    tier, plan, benefits = row.get("tier") or {}, row.get("plan") or {}, row.get("benefits") or {}
    return PricingInputs(
        tier_percent=tier.get("percent") or 0, tier_name=tier_name_display(tier["name"]) if tier else "",
        has_plan=bool(plan), plan_percent=plan.get("percent") or 0, plan_name=plan.get("name", ""),
        plan_member_day_extra=plan.get("extra") or 0,
        member_day=benefits.get("day"), member_day_percent=benefits.get("percent") or 0,
    )  # fmt: skip


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
    inputs = pricing_inputs(customer=customer)
    percent, name = inputs.tier_percent, inputs.tier_name
    if inputs.has_plan and inputs.plan_percent > percent:
        percent, name = inputs.plan_percent, inputs.plan_name
    labels = [_("%(tier)s member: %(percent)d%% off goods") % {"tier": name, "percent": percent}] if percent else []
    if inputs.member_day is not None and member_day_of(inputs.member_day, clock.today()):
        extra = inputs.member_day_percent + inputs.plan_member_day_extra
        if extra:
            percent += extra
            labels.append(_("member day: %(percent)d%% off") % {"percent": extra})
    amount = subtotal_minor * min(percent, 100) // 100
    if not amount:
        return TierDiscount()
    return TierDiscount(amount, "; ".join(labels))
