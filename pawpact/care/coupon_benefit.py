"""Free-service coupons as a benefit source (settings.PAWPACT_CARE_BENEFIT_SOURCES, after
the plan entitlement): a booking the plan does not cover uses the customer's coupon for
that service that ends first; cancelled in time, the booking gives it back."""
from __future__ import annotations

from pawpact.care.benefits import BenefitClaim, BenefitRequest
from pawpact.care.enums import BenefitSource
from pawpact.loyalty.coupons import free_service_coupon_release, free_service_coupon_take

REFERENCE_PREFIX = "coupon:"


def coupon_claim(*, request: BenefitRequest) -> BenefitClaim | None:
    coupon = free_service_coupon_take(
        customer=request.customer, service_kind=request.service_kind, price_minor=request.price_minor,
        reference=f"{request.pet.uuid}:{request.starts_at.isoformat()}",
    )  # fmt: skip
    if coupon is None:
        return None
    return BenefitClaim(source=BenefitSource.COUPON, reference=f"{REFERENCE_PREFIX}{coupon.code}",
                        covered_minor=request.price_minor)  # fmt: skip


def release(*, booking) -> None:
    if booking.benefit_source == BenefitSource.COUPON and booking.benefit_reference.startswith(REFERENCE_PREFIX):
        free_service_coupon_release(code=booking.benefit_reference.removeprefix(REFERENCE_PREFIX))


coupon_claim.release = release  # benefit_release looks the release up on the claim function
