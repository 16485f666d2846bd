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


def no_discount(*, customer: Customer, subtotal_minor: int, coupon_code: str = "") -> Discount:
    return Discount()


def discount_for(*, customer: Customer, subtotal_minor: int, coupon_code: str = "") -> Discount:
    path = getattr(settings, "PAWPACT_STOREFRONT_PRICING", "pawpact.storefront.pricing.no_discount")
    discount = import_string(path)(customer=customer, subtotal_minor=subtotal_minor, coupon_code=coupon_code)
    # Never below zero, never more than the goods.
    return Discount(max(0, min(int(discount.amount_minor), subtotal_minor)), discount.label)


def coupon_redeem(*, customer: Customer, coupon_code: str, order) -> None:
    """Inside the order's transaction: mark its coupon used (settings.PAWPACT_STOREFRONT_COUPON_REDEEM),
    so a coupon that another checkout used meanwhile undoes this order rather than discount it twice."""
    path = getattr(settings, "PAWPACT_STOREFRONT_COUPON_REDEEM", "")
    if coupon_code and path:
        import_string(path)(customer=customer, coupon_code=coupon_code, order_uuid=str(order.uuid),
                            amount_minor=order.discount_minor, subtotal_minor=order.subtotal_minor)  # fmt: skip


def coupon_release(*, order) -> None:
    """Inside the transaction that cancels the order or refunds the last of it: give its coupon
    back (settings.PAWPACT_STOREFRONT_COUPON_RELEASE; the hook gives back at most once)."""
    path = getattr(settings, "PAWPACT_STOREFRONT_COUPON_RELEASE", "")
    if path:
        import_string(path)(order_uuid=str(order.uuid))
