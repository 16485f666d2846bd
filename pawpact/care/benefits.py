"""What covers a booking's price.

`settings.PAWPACT_CARE_BENEFIT_SOURCES` lists dotted paths of claim functions, tried in
order; the first that returns a `BenefitClaim` covers the booking and the rest are not
asked. What none covers is paid at the counter. A claim function is called inside the
booking's transaction and must lock what it counts, so two bookings at once cannot both
take the last unit:

    def claim(*, request: BenefitRequest) -> BenefitClaim | None: ...

A source that holds its own rows (a coupon, a tier allowance) may also offer
`release(*, booking)`, called when a booking it covered is cancelled in time. Plan
entitlements need none: they are counted from the live bookings themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.care.enums import BenefitSource, BookingStatus
from pawpact.care.models import Booking
from pawpact.core.clock import local_date
from pawpact.customers.models import Customer, Pet
from pawpact.partners.selectors import redemptions_used
from pawpact.tenants.modes import current_shop


@dataclass(frozen=True)
class BenefitRequest:
    customer: Customer
    pet: Pet
    service_kind: str
    price_minor: int
    starts_at: datetime
    # On a reschedule: the booking being moved, which must not count against itself.
    booking_id: int | None = None


@dataclass(frozen=True)
class BenefitClaim:
    source: str
    reference: str
    covered_minor: int
    contract: Contract | None = None
    period: DebitPeriod | None = None


def benefit_claim(*, request: BenefitRequest) -> BenefitClaim:
    """The first source's claim that covers `request`; else a paid claim covering nothing."""
    for path in settings.PAWPACT_CARE_BENEFIT_SOURCES:
        claim = import_string(path)(request=request)
        if claim is not None:
            return claim
    return BenefitClaim(source=BenefitSource.PAID, reference="", covered_minor=0)


def benefit_preview(*, request: BenefitRequest) -> BenefitClaim:
    """What would pay for `request` if it were booked now, for the booking pages to show.

    Sources may lock or hold rows when they claim, so the claim runs in a savepoint that is
    rolled back: nothing is taken."""
    with transaction.atomic():
        claim = benefit_claim(request=request)
        transaction.set_rollback(True)
    return claim


def benefit_release(*, booking) -> None:
    """Give back what the booking's source holds (sources without rows of their own have nothing)."""
    for path in settings.PAWPACT_CARE_BENEFIT_SOURCES:
        release = getattr(import_string(path), "release", None)
        if release is not None:
            release(booking=booking)


def entitled_quantity(*, contract: Contract, kind: str) -> int:
    """How many of `kind` the contract's plan gives per period."""
    return sum(
        int(entry.get("quantity", 0))
        for entry in contract.plan_version.entitlements
        if entry.get("kind") == kind
    )


def period_covering(*, contract: Contract, starts_at: datetime) -> DebitPeriod | None:
    """The contract's debit period the appointment day falls in: the last one due on or before it."""
    day = local_date(starts_at)
    return (
        DebitPeriod.objects.filter(contract=contract, due_date__lte=day).order_by("-number").first()
    )


def plan_entitlement_claim(*, request: BenefitRequest) -> BenefitClaim | None:
    """The pet's active contract's entitlement of this kind for the appointment's period, if any is left.

    One unit per booking. Bookings cancelled in time give their unit back; a no-show keeps it.
    Redemptions at partner clinics and groomers use the same allowance (pawpact.partners:
    bookings that name this contract and period). The contract row is locked, so concurrent
    bookings and redemptions on one contract count one after the other.
    """
    contract = (
        Contract.objects.select_for_update()
        .select_related("plan_version")
        .filter(pet=request.pet, customer=request.customer, status=ContractStatus.ACTIVE)
        .first()
    )
    if contract is None:
        return None
    quantity = entitled_quantity(contract=contract, kind=request.service_kind)
    if quantity <= 0:
        return None
    period = period_covering(contract=contract, starts_at=request.starts_at)
    if period is None:
        return None
    used = (
        Booking.objects.filter(contract=contract, period=period, benefit_source=BenefitSource.PLAN_ENTITLEMENT)
        .exclude(status=BookingStatus.CANCELLED)
        .exclude(pk=request.booking_id)
        .filter(service__kind=request.service_kind)
        .count()
    )
    used += redemptions_used(shop_id=current_shop().pk, contract_uuid=contract.uuid, period_number=period.number,
                             kind=request.service_kind)  # fmt: skip
    if used >= quantity:
        return None
    return BenefitClaim(
        source=BenefitSource.PLAN_ENTITLEMENT,
        reference=f"{contract.uuid}:{period.number}:{request.service_kind}",
        covered_minor=request.price_minor,
        contract=contract,
        period=period,
    )


@dataclass(frozen=True)
class AllowanceUsedUp:
    """The plan gives this kind of service, but the period's units are taken."""

    quantity: int
    renews_on: date | None  # the next period's due date; None after the last period


def allowance_used_up(*, customer: Customer, pet: Pet, service_kind: str, starts_at: datetime) -> AllowanceUsedUp | None:
    """Why a booking the plan would normally cover is paid: its allowance for the period is used up.

    A read for the booking page (no lock): the claim at booking time stays the authority."""
    contract = (Contract.objects.select_related("plan_version")
                .filter(pet=pet, customer=customer, status=ContractStatus.ACTIVE).first())  # fmt: skip
    if contract is None or entitled_quantity(contract=contract, kind=service_kind) <= 0:
        return None
    period = period_covering(contract=contract, starts_at=starts_at)
    if period is None:
        return None
    following = DebitPeriod.objects.filter(contract=contract, number__gt=period.number).order_by("number").first()
    return AllowanceUsedUp(quantity=entitled_quantity(contract=contract, kind=service_kind),
                           renews_on=following.due_date if following else None)  # fmt: skip
