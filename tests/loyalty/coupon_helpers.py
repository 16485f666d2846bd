"""Coupon templates for the loyalty tests (call inside the shop's schema)."""
from datetime import date

from pawpact.loyalty.coupon_templates import coupon_template_save


def amount_off(amount_minor: int = 5_000, *, min_spend_minor: int = 0, days: int = 30, **extra):
    return coupon_template_save(name=f"¥{amount_minor // 100} off", kind="amount_off", amount_off_minor=amount_minor,
                                min_spend_minor=min_spend_minor, valid_days=days, **extra)  # fmt: skip


def percent_off(percent: int = 20, **extra):
    return coupon_template_save(name=f"{percent}% off", kind="percent_off", percent_off=percent, valid_days=30, **extra)


def free_service(service_kind: str = "grooming", **extra):
    return coupon_template_save(name="Free groom", kind="free_service", service_kind=service_kind, valid_days=30,
                                **extra)  # fmt: skip


def fixed(kind: str, start: date, end: date, **extra):
    return coupon_template_save(name=f"{kind} fixed", kind=kind, valid_from=start, valid_until=end, **extra)
