"""The storefront's pricing hook (settings.PAWPACT_STOREFRONT_PRICING): what a member pays less.

The storefront reads `amount_minor` and `label` of what comes back (it sits beside loyalty
and is not imported here).
"""
from __future__ import annotations

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.coupons import coupon_discount
from pawpact.loyalty.pricing import TierDiscount, tier_discount


def member_and_coupon_discount(
    *, customer: Customer, subtotal_minor: int, coupon_code: str = "", clock: Clock = default_clock
) -> TierDiscount:
    """The tier's discount first, then the coupon on what is left (a % coupon never applies to
    money the tier already took off). A coupon that does not apply raises: nothing is written."""
    tier = tier_discount(customer=customer, subtotal_minor=subtotal_minor, clock=clock)
    coupon = coupon_discount(
        customer=customer, subtotal_minor=subtotal_minor - tier.amount_minor, coupon_code=coupon_code, clock=clock
    )
    labels = [label for label in (tier.label, coupon.label) if label]
    return TierDiscount(tier.amount_minor + coupon.amount_minor, "; ".join(labels))
