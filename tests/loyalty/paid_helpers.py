"""Paid membership fixtures for the loyalty tests (call inside the shop's schema)."""
import uuid

from pawpact.billing.models import PaymentMethod
from pawpact.loyalty.paid_membership import paid_plan_save


def plan(price_minor: int = 990, *, months: int = 1, trial_days: int = 0, **benefits):
    values = {"goods_discount_percent": 10, "points_multiplier": 2, "free_services_per_month": 1,
              "member_day_extra_percent": 5, **benefits}  # fmt: skip
    return paid_plan_save(name=f"Club {price_minor}", price_minor=price_minor, months=months, trial_days=trial_days,
                          **values)  # fmt: skip


def method(customer, token: str = "tok_success") -> PaymentMethod:
    return PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"{token}.{uuid.uuid4().hex[:10]}")
