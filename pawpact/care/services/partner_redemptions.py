"""Sending a customer's pet to a partner clinic or groomer, optionally on the plan.

A redemption uses the same allowance as an in-shop booking: the period's unit of the
entitlement kind the partner's service maps to. The claim locks the contract row
(pawpact.care.benefits.plan_entitlement_claim) and counts in-shop bookings and partner
redemptions together, so Advanced's monthly grooming used at a partner leaves no second
free one that month, in the shop or at another partner, however many staff try at once.
"""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import EntitlementKind
from pawpact.care.benefits import BenefitRequest, plan_entitlement_claim
from pawpact.care.errors import BookingInvalid, EntitlementUnavailable
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Pet
from pawpact.partners.bookings import partner_booking_send
from pawpact.partners.enums import PartnerService
from pawpact.partners.models import PartnerBooking
from pawpact.tenants.models import Shop

# The plan entitlement a partner's service redeems; services not listed are never on the plan.
ENTITLEMENT_FOR_SERVICE = {
    PartnerService.CHECKUP: EntitlementKind.CHECKUP,
    PartnerService.VACCINE: EntitlementKind.VACCINE,
    PartnerService.GROOMING: EntitlementKind.GROOMING,
    PartnerService.BATH: EntitlementKind.GROOMING,
    PartnerService.EMERGENCY: EntitlementKind.CONSULTATION,
}


def _unavailable(message: str) -> EntitlementUnavailable:
    return EntitlementUnavailable(message, fields={"with_entitlement": [message]})


@transaction.atomic
def partner_visit_book(
    *, shop: Shop, partner_id: int, pet: Pet, service: str, scheduled_at: datetime, note: str = "",
    with_entitlement: bool = False, clock: Clock = default_clock,
) -> PartnerBooking:  # fmt: skip
    """Send the booking; with `with_entitlement`, first claim the period's unit or refuse (nothing written)."""
    if pet.owner_id is None:
        raise BookingInvalid(_("Choose a customer's pet."), fields={"pet": [_("Unknown pet.")]})
    owner = pet.owner
    allowance = {}
    if with_entitlement:
        kind = ENTITLEMENT_FOR_SERVICE.get(service)
        if kind is None:
            raise _unavailable(_("This service is not covered by any plan."))
        claim = plan_entitlement_claim(
            request=BenefitRequest(customer=owner, pet=pet, service_kind=kind, price_minor=0, starts_at=scheduled_at)
        )
        if claim is None:
            raise _unavailable(
                _("%(pet)s has no %(kind)s left on a plan for that period.")
                % {"pet": pet.name, "kind": EntitlementKind(kind).label}
            )
        allowance = {"contract_uuid": claim.contract.uuid, "period_number": claim.period.number, "entitlement_kind": kind}
    return partner_booking_send(
        shop=shop, partner_id=partner_id, customer_uuid=owner.uuid, customer_name=owner.name, pet_name=pet.name,
        service=service, scheduled_at=scheduled_at, note=note, with_entitlement=with_entitlement, clock=clock,
        **allowance,
    )  # fmt: skip
