"""Adoption listings and the visitors' applications for them.

A listed pet is shown on the shop's public pages; anyone may apply (contact, housing,
experience, consent). Staff approve, which reserves the pet, links or creates the
applicant as a customer and hands the pet to the signing wizard, or decline with a reason.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.models import Contract, Plan
from pawpact.care.errors import (
    AdoptionApplicationInvalid,
    AdoptionApplicationStateInvalid,
    ListingClosed,
)
from pawpact.care.pet_enums import ApplicationStatus, Housing, ListingStatus
from pawpact.care.pet_models import AdoptionApplication, AdoptionListing
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer, Pet

LISTING_FIELDS = ("headline", "description", "health_checks", "fee_minor", "suggested_plan")


def _listing_errors(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if "headline" in values and not 3 <= len((values["headline"] or "").strip()) <= 120:
        errors["headline"] = [_("A headline of 3 to 120 characters.")]
    fee = values.get("fee_minor", 0)
    if not isinstance(fee, int) or fee < 0 or fee > 10_000_000:
        errors["fee"] = [_("Enter a fee from 0 to 100,000 yuan.")]
    plan = values.get("suggested_plan")
    if plan is not None and not isinstance(plan, Plan):
        errors["suggested_plan"] = [_("Choose one of the shop's plans.")]
    return errors


@transaction.atomic
def adoption_listing_create(*, pet: Pet, values: dict, clock: Clock = default_clock) -> AdoptionListing:
    """List a shop pet (no owner yet) for adoption."""
    errors = _listing_errors({"headline": "", **values})
    if pet.owner_id is not None:
        errors["pet"] = [_("This pet has a family already.")]
    elif AdoptionListing.objects.filter(pet=pet, status__in=[ListingStatus.LISTED, ListingStatus.RESERVED]).exists():
        errors["pet"] = [_("This pet is listed already.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    fields = {name: values[name] for name in LISTING_FIELDS if name in values}
    return AdoptionListing.objects.create(pet=pet, listed_at=clock.now(), **fields)


@transaction.atomic
def adoption_listing_update(*, listing: AdoptionListing, values: dict) -> AdoptionListing:
    errors = _listing_errors(values)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    fields = [name for name in LISTING_FIELDS if name in values]
    for name in fields:
        setattr(listing, name, values[name])
    listing.save(update_fields=fields)
    return listing


@transaction.atomic
def adoption_listing_withdraw(*, listing: AdoptionListing) -> AdoptionListing:
    locked = AdoptionListing.objects.select_for_update().get(pk=listing.pk)
    if locked.status == ListingStatus.ADOPTED:
        raise ListingClosed(_("This pet has been adopted."))
    locked.status = ListingStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    AdoptionApplication.objects.filter(listing=locked, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.DECLINED, decision_reason=_("The pet is no longer listed.")
    )
    return locked


# A Chinese character carries about as much as two Latin letters, so five of them make the
# short sentence the shop needs as much as ten letters do.
EXPERIENCE_MIN_WEIGHT = 10


def experience_weight(text: str) -> int:
    """How much an answer says: letters and digits 1 each, CJK characters 2, spaces 0."""
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" else 1 for ch in text if not ch.isspace())


def _application_errors(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if not 2 <= len(values.get("name", "").strip()) <= 80:
        errors["name"] = [_("Your name, please.")]
    digits = "".join(ch for ch in values.get("phone", "") if ch.isdigit())
    if not 7 <= len(digits) <= 15:
        errors["phone"] = [_("A phone number we can call.")]
    if values.get("housing") not in Housing.values:
        errors["housing"] = [_("Choose your housing.")]
    if experience_weight(values.get("experience", "")) < EXPERIENCE_MIN_WEIGHT:
        errors["experience"] = [_("Tell us a little about your experience with pets: at least 10 letters or 5 Chinese characters.")]
    if values.get("consent") is not True:
        errors["consent"] = [_("Agree to the shop contacting you and keeping these details for the adoption.")]
    return errors


def adoption_application_submit(
    *, listing: AdoptionListing, values: dict, customer: Customer | None = None, clock: Clock = default_clock
) -> AdoptionApplication:
    """A visitor (or a signed-in customer) applies for a listed pet."""
    errors = _application_errors(values)
    if errors:
        raise AdoptionApplicationInvalid(_("Some fields are invalid."), fields=errors)
    with transaction.atomic():
        locked = AdoptionListing.objects.select_for_update().get(pk=listing.pk)
        if locked.status != ListingStatus.LISTED:
            raise ListingClosed(_("This pet is no longer listed for adoption."))
        return AdoptionApplication.objects.create(
            listing=locked, customer=customer, name=values["name"].strip(), phone=values["phone"].strip(),
            email=values.get("email", "").strip(), housing=values["housing"],
            experience=values["experience"].strip(), message=values.get("message", "").strip(),
            consent_at=clock.now(), submitted_at=clock.now(),
        )


def _lock_open(application: AdoptionApplication) -> AdoptionApplication:
    locked = AdoptionApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.SUBMITTED:
        raise AdoptionApplicationStateInvalid(_("This application has been decided already."))
    return locked


def adoption_application_approve(
    *, application: AdoptionApplication, customer: Customer, staff: User, clock: Clock = default_clock
) -> AdoptionApplication:
    """Approve for `customer` (the applicant's record): the pet is reserved, other applicants are told no."""
    with transaction.atomic():
        locked = _lock_open(application)
        listing = AdoptionListing.objects.select_for_update().get(pk=locked.listing_id)
        if listing.status != ListingStatus.LISTED:
            raise ListingClosed(_("This pet is no longer listed for adoption."))
        listing.status = ListingStatus.RESERVED
        listing.save(update_fields=["status"])
        locked.status, locked.customer, locked.decided_by, locked.decided_at = (
            ApplicationStatus.APPROVED, customer, staff, clock.now(),
        )
        locked.save(update_fields=["status", "customer", "decided_by", "decided_at"])
        AdoptionApplication.objects.filter(listing=listing, status=ApplicationStatus.SUBMITTED).update(
            status=ApplicationStatus.DECLINED, decided_by=staff, decided_at=clock.now(),
            decision_reason=_("Another family was chosen for this pet."),
        )
    return locked


def adoption_application_decline(
    *, application: AdoptionApplication, reason: str, staff: User, clock: Clock = default_clock
) -> AdoptionApplication:
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 200:
        raise ValidationFailed(_("Some fields are invalid."), fields={"reason": [_("Tell the applicant why, in 5 to 200 characters.")]})
    with transaction.atomic():
        locked = _lock_open(application)
        locked.status, locked.decided_by, locked.decided_at = ApplicationStatus.DECLINED, staff, clock.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return locked


@transaction.atomic
def adoption_on_contract_signed(*, payload: dict, clock: Clock = default_clock) -> None:
    """A plan started for a reserved pet (the in-shop `contract.signed`): its listing is adopted."""
    pet_id = Contract.objects.filter(uuid=payload["contract_uuid"]).values_list("pet_id", flat=True).first()
    for listing in AdoptionListing.objects.filter(pet_id=pet_id, status=ListingStatus.RESERVED):
        adoption_listing_mark_adopted(listing=listing)


def adoption_listing_mark_adopted(*, listing: AdoptionListing) -> None:
    """The reserved pet has been signed for: the listing leaves the public pages for good."""
    AdoptionListing.objects.filter(pk=listing.pk, status=ListingStatus.RESERVED).update(status=ListingStatus.ADOPTED)
