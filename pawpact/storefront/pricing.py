"""Discounts on a shop order: the hook that tier discounts and coupons plug into.

`settings.PAWPACT_STOREFRONT_PRICING` names a function `(customer, subtotal_minor,
coupon_code) -> Discount`; the default gives none. A loyalty app sets its own without
the storefront importing it.
"""
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from pawpact.customers.models import Customer


@dataclass(frozen=True)
class Discount:
    amount_minor: int = 0
    label: str = ""
    coupon_minor: int | None = None  # the coupon's own share, when the hook tells it apart


def no_discount(*, customer: Customer, subtotal_minor: int, coupon_code: str = "") -> Discount:
    return Discount()


def discount_for(*, customer: Customer, subtotal_minor: int, coupon_code: str = "") -> Discount:
    path = getattr(settings, "PAWPACT_STOREFRONT_PRICING", "pawpact.storefront.pricing.no_discount")
    discount = import_string(path)(customer=customer, subtotal_minor=subtotal_minor, coupon_code=coupon_code)
    # Never below zero, never more than the goods.
    return Discount(max(0, min(int(discount.amount_minor), subtotal_minor)), discount.label,
                    getattr(discount, "coupon_minor", None))  # fmt: skip


@dataclass(frozen=True)
class CouponOption:
    """One of the customer's coupons that applies to the cart, and what the order then pays less in all."""

    code: str
    name: str
    valid_until: object
    discount_minor: int


def coupon_options(*, customer: Customer, subtotal_minor: int) -> list[CouponOption]:
    """The customer's coupons that apply to this cart (settings.PAWPACT_STOREFRONT_COUPON_OPTIONS),
    each with the whole discount the checkout would give with it; none without loyalty."""
    path = getattr(settings, "PAWPACT_STOREFRONT_COUPON_OPTIONS", "")
    if not path:
        return []
    options = import_string(path)(customer=customer, subtotal_minor=subtotal_minor)
    return [CouponOption(o.code, o.name, o.valid_until, max(0, min(int(o.discount_minor), subtotal_minor)))
            for o in options]  # fmt: skip


def coupon_redeem(*, customer: Customer, coupon_code: str, order, discount: Discount | None = None) -> None:
    """Inside the order's transaction: mark its coupon used (settings.PAWPACT_STOREFRONT_COUPON_REDEEM),
    so a coupon that another checkout used meanwhile undoes this order rather than discount it twice.
    `discount`: the order's pricing; its coupon share, when it has one, is passed on so the hook
    need not price the order again."""
    path = getattr(settings, "PAWPACT_STOREFRONT_COUPON_REDEEM", "")
    if coupon_code and path:
        priced = {"coupon_minor": discount.coupon_minor} if discount and discount.coupon_minor is not None else {}
        import_string(path)(customer=customer, coupon_code=coupon_code, order_uuid=str(order.uuid),
                            amount_minor=order.discount_minor, subtotal_minor=order.subtotal_minor, **priced)  # fmt: skip


class NoStoredValue:
    """The default when no app offers stored value: a balance of 0, never spent."""

    @staticmethod
    def balance_minor(*, customer: Customer) -> int:
        return 0

    @staticmethod
    def pay(*, customer: Customer, amount_minor: int, key: str, memo: str) -> None:
        raise NotImplementedError

    @staticmethod
    def give_back(*, customer: Customer, spend_key: str, amount_minor: int, key: str, memo: str) -> None:
        raise NotImplementedError


NO_STORED_VALUE = NoStoredValue()


def stored_value():
    """`settings.PAWPACT_STOREFRONT_STORED_VALUE`: an object with `balance_minor(customer)`,
    `pay(customer, amount_minor, key, memo)` (inside the order's transaction; raises a 4xx when
    the balance is short) and `give_back(customer, spend_key, amount_minor, key, memo)` (once per
    key). Loyalty provides it, without the storefront importing loyalty."""
    return import_string(getattr(settings, "PAWPACT_STOREFRONT_STORED_VALUE", "pawpact.storefront.pricing.NO_STORED_VALUE"))


def coupon_release(*, order) -> None:
    """Inside the transaction that cancels the order or refunds the last of it: give its coupon
    back (settings.PAWPACT_STOREFRONT_COUPON_RELEASE; the hook gives back at most once)."""
    path = getattr(settings, "PAWPACT_STOREFRONT_COUPON_RELEASE", "")
    if path:
        import_string(path)(order_uuid=str(order.uuid))
