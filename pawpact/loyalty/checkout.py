"""The storefront's hooks: pricing (settings.PAWPACT_STOREFRONT_PRICING, what a member pays
less) and stored value (settings.PAWPACT_STOREFRONT_STORED_VALUE, paying an order from the balance).

The storefront reads `amount_minor` and `label` of what comes back (it sits beside loyalty
and is not imported here).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty import stored_value
from pawpact.loyalty.coupon_models import Coupon, CouponStatus
from pawpact.loyalty.coupons import coupon_discount, order_discount_minor
from pawpact.loyalty.pricing import tier_discount
from pawpact.loyalty.wallet_models import StoredValueAccount


@dataclass(frozen=True)
class OrderDiscount:
    amount_minor: int = 0  # the tier's and the coupon's together
    label: str = ""
    coupon_minor: int = 0  # the coupon's own share: what its use records when the order is placed


def member_and_coupon_discount(
    *, customer: Customer, subtotal_minor: int, coupon_code: str = "", clock: Clock = default_clock
) -> OrderDiscount:
    """The tier's discount first, then the coupon on what is left (a % coupon never applies to
    money the tier already took off). A coupon that does not apply raises: nothing is written."""
    tier = tier_discount(customer=customer, subtotal_minor=subtotal_minor, clock=clock)
    coupon = coupon_discount(
        customer=customer, subtotal_minor=subtotal_minor - tier.amount_minor, coupon_code=coupon_code, clock=clock
    )
    labels = [label for label in (tier.label, coupon.label) if label]
    return OrderDiscount(tier.amount_minor + coupon.amount_minor, "; ".join(labels), coupon.amount_minor)


@dataclass(frozen=True)
class CouponOption:
    code: str
    name: str
    valid_until: date
    discount_minor: int  # the tier's and the coupon's together, as the checkout would give


def order_coupon_options(*, customer: Customer, subtotal_minor: int, clock: Clock = default_clock) -> list[CouponOption]:
    """The customer's coupons that apply to an order of `subtotal_minor` today, the largest saving first."""
    today = clock.today()
    candidates = Coupon.objects.select_related("template").filter(
        customer=customer, status=CouponStatus.ISSUED, valid_from__lte=today, valid_until__gte=today
    ).order_by("valid_until", "id")[:50]
    tier = tier_discount(customer=customer, subtotal_minor=subtotal_minor, clock=clock)  # the same for every coupon
    options = []
    for coupon in candidates:
        try:
            coupon_minor = order_discount_minor(coupon.template, subtotal_minor=subtotal_minor - tier.amount_minor)
        except DomainError:  # not for orders, or the spend is below its minimum
            continue
        discount = tier.amount_minor + coupon_minor
        options.append(CouponOption(coupon.code, coupon.template.name, coupon.valid_until, discount))
    return sorted(options, key=lambda option: -option.discount_minor)


class OrderStoredValue:
    """The storefront's stored-value port (settings.PAWPACT_STOREFRONT_STORED_VALUE): the balance a
    customer can pay an order with, the spend inside the order's transaction, and giving it back."""

    @staticmethod
    def balance_minor(*, customer: Customer) -> int:
        account = StoredValueAccount.objects.filter(customer=customer).first()
        return account.total_minor if account else 0

    @staticmethod
    def pay(*, customer: Customer, amount_minor: int, key: str, memo: str) -> None:
        stored_value.spend(customer=customer, amount_minor=amount_minor, key=key, memo=memo)

    @staticmethod
    def give_back(*, customer: Customer, spend_key: str, amount_minor: int, key: str, memo: str) -> None:
        stored_value.give_back(customer=customer, spend_key=spend_key, amount_minor=amount_minor, key=key, memo=memo)


ORDER_STORED_VALUE = OrderStoredValue()
