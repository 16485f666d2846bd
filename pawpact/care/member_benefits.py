"""Booking benefits that come from the customer's membership (settings.PAWPACT_CARE_BENEFIT_SOURCES):

- `tier_quota_claim`: the member tier's free services per month, quarter or year, counted
  from the live bookings it covered in the appointment's period (after the plan's own
  entitlement, before coupons);
- `paid_quota_claim`: the paid membership's free services per month, after the tier's;
- `household_claim`: with the shop's multi-pet benefit on, a customer's second and further
  pets' services at half price (last: only what nothing else covers).

Both lock the customer's membership row, so two bookings at once count one after the other.
"""
from __future__ import annotations

from pawpact.care.benefits import BenefitClaim, BenefitRequest
from pawpact.care.enums import BenefitSource, BookingStatus
from pawpact.care.models import Booking
from pawpact.core.clock import local_date
from pawpact.customers.models import Pet
from pawpact.loyalty.benefits import member_benefits_get
from pawpact.loyalty.models import Membership, QuotaPeriod
from pawpact.loyalty.paid_models import LIVE, PaidMembership

TIER_PREFIX = "tier"
PAID_PREFIX = "paid"
HOUSEHOLD_PREFIX = "household"


def quota_period_key(period: str, day) -> str:
    """The period an appointment day counts in: 2026-03, 2026-Q1 or 2026."""
    if period == QuotaPeriod.YEAR:
        return f"{day.year}"
    if period == QuotaPeriod.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def tier_quota_claim(*, request: BenefitRequest) -> BenefitClaim | None:
    """A free service from the member tier's quota for the appointment's period, if any is left."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("tier")
        .filter(customer=request.customer).first()
    )  # fmt: skip
    tier = membership.tier if membership else None
    if tier is None or tier.free_service_quota <= 0:
        return None
    reference = f"{TIER_PREFIX}:{request.customer.uuid}:{quota_period_key(tier.quota_period, local_date(request.starts_at))}"
    used = (
        Booking.objects.filter(
            customer=request.customer, benefit_source=BenefitSource.TIER_BENEFIT, benefit_reference=reference
        )
        .exclude(status=BookingStatus.CANCELLED)
        .exclude(pk=request.booking_id)
        .count()
    )
    if used >= tier.free_service_quota:
        return None
    return BenefitClaim(source=BenefitSource.TIER_BENEFIT, reference=reference, covered_minor=request.price_minor)


def paid_quota_claim(*, request: BenefitRequest) -> BenefitClaim | None:
    """A free service from the paid membership's monthly allowance (after the tier's quota:
    the two allowances add up, the member paid for this one), if any is left this month."""
    membership = (
        PaidMembership.objects.select_for_update(of=("self",)).select_related("plan")
        .filter(customer=request.customer, status__in=LIVE).first()
    )  # fmt: skip
    if membership is None or membership.plan.free_services_per_month <= 0:
        return None
    month = quota_period_key(QuotaPeriod.MONTH, local_date(request.starts_at))
    reference = f"{PAID_PREFIX}:{membership.uuid}:{month}"
    used = (
        Booking.objects.filter(customer=request.customer, benefit_source=BenefitSource.TIER_BENEFIT,
                               benefit_reference=reference)
        .exclude(status=BookingStatus.CANCELLED).exclude(pk=request.booking_id).count()
    )  # fmt: skip
    if used >= membership.plan.free_services_per_month:
        return None
    return BenefitClaim(source=BenefitSource.TIER_BENEFIT, reference=reference, covered_minor=request.price_minor)


def household_claim(*, request: BenefitRequest) -> BenefitClaim | None:
    """Half the price (rounded down to the fen: the customer never pays more than half) when
    the shop gives the multi-pet benefit and this pet is not the customer's first."""
    if not member_benefits_get().multi_pet_half_price or request.price_minor <= 0:
        return None
    Membership.objects.select_for_update().filter(customer=request.customer).first()
    first_pet = Pet.objects.filter(owner=request.customer).order_by("created_at", "id").values_list("id", flat=True).first()
    if first_pet is None or first_pet == request.pet.pk:
        return None
    half = request.price_minor - request.price_minor // 2
    return BenefitClaim(source=BenefitSource.TIER_BENEFIT, reference=f"{HOUSEHOLD_PREFIX}:{request.pet.uuid}",
                        covered_minor=half)  # fmt: skip
