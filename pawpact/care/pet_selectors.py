"""Reads of the pet archive, adoption listings and guarantee claims."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from pawpact.care.pet_enums import ApplicationStatus, GuaranteeClaimStatus, ListingStatus
from pawpact.care.pet_models import (
    AdoptionApplication,
    AdoptionListing,
    GuaranteeClaim,
    HealthRecord,
    PetPhoto,
    PetWeight,
)
from pawpact.customers.models import Customer, Pet


def pets_with_archive(*, owner: Customer | None = None, staff: bool = False) -> QuerySet[Pet]:
    """Pets with their weights, records and photos; a customer's own only, staff every pet of the shop."""
    pets = Pet.objects.select_related("owner").prefetch_related(
        Prefetch("weights", queryset=PetWeight.objects.order_by("-measured_on", "-id")),
        Prefetch("health_records", queryset=HealthRecord.objects.order_by("-done_on", "-id")),
        Prefetch("photos", queryset=PetPhoto.objects.order_by("uploaded_at", "id")),
    )
    if staff:
        return pets
    if owner is None:
        return pets.none()
    return pets.filter(owner=owner)


def listings_public() -> QuerySet[AdoptionListing]:
    """What visitors see: pets open for applications, newest first, with their photos and records."""
    return AdoptionListing.objects.filter(status=ListingStatus.LISTED).select_related("pet", "suggested_plan").prefetch_related(
        Prefetch("pet__photos", queryset=PetPhoto.objects.order_by("uploaded_at", "id")),
        Prefetch("pet__health_records", queryset=HealthRecord.objects.order_by("-done_on", "-id")),
    )


def listing_closed(*, uuid) -> AdoptionListing | None:
    """A listing no longer open (reserved, adopted, withdrawn): old links still say what became of the pet."""
    return AdoptionListing.objects.exclude(status=ListingStatus.LISTED).select_related("pet").filter(uuid=uuid).first()


def listings_all(*, status: str = "") -> QuerySet[AdoptionListing]:
    found = AdoptionListing.objects.select_related("pet", "suggested_plan")
    return found.filter(status=status) if status in ListingStatus.values else found


def applications_queue(*, status: str = "") -> QuerySet[AdoptionApplication]:
    found = AdoptionApplication.objects.select_related("listing__pet", "customer", "decided_by")
    if status in ApplicationStatus.values:
        return found.filter(status=status)
    return found


def guarantee_claims(*, customer: Customer | None = None, staff: bool = False, status: str = "") -> QuerySet[GuaranteeClaim]:
    found = GuaranteeClaim.objects.select_related("pet", "customer", "contract", "replacement_pet", "decided_by")
    if not staff:
        found = found.filter(customer=customer) if customer is not None else found.none()
    if status in GuaranteeClaimStatus.values:
        found = found.filter(status=status)
    return found


def pet_latest_weight(pet: Pet) -> PetWeight | None:
    weights = list(pet.weights.all())
    return weights[0] if weights else None
