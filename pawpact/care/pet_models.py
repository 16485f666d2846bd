"""The pet archive (weights, vaccine/deworming/check-up records, photos), the health
guarantee and its claims, adoption listings with their applications, and the care
reminders already sent.

Weights are integer grams; fees integer fen. A care reminder row is unique per pet, kind
and due date: the daily run may repeat, the customer hears once.
"""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.billing.models import Contract, Plan
from pawpact.care.pet_enums import (
    ApplicationStatus,
    CareReminderKind,
    GuaranteeClaimStatus,
    HealthRecordKind,
    Housing,
    ListingStatus,
)
from pawpact.customers.models import Customer, Pet

DEFAULT_GUARANTEE_CONDITIONS = ["feline panleukopenia", "FIP", "canine parvovirus", "canine distemper"]


def _default_conditions() -> list[str]:
    return list(DEFAULT_GUARANTEE_CONDITIONS)


class PetWeight(models.Model):
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="weights")
    measured_on = models.DateField(_("date"))
    grams = models.PositiveIntegerField(_("weight"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(grams__gt=0), name="care_pet_weight_positive")]

    @property
    def kilograms(self) -> str:
        return f"{self.grams / 1000:.2f}"


class HealthRecord(models.Model):
    """A vaccine, a deworming or a check-up: when, with what, and when the next one is due."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="health_records")
    kind = models.CharField(_("kind"), max_length=16, choices=HealthRecordKind.choices)
    done_on = models.DateField(_("date"))
    product = models.CharField(_("product"), max_length=120, blank=True)
    next_due = models.DateField(_("next due"), null=True, blank=True)
    clinic = models.CharField(_("clinic or vet"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-done_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due__isnull=True) | Q(next_due__gt=models.F("done_on")), name="care_record_next_after"
            )
        ]
        indexes = [models.Index(fields=["kind", "next_due"], name="care_record_due_idx")]


class PetPhoto(models.Model):
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="pet-photos/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]


class GuaranteeSettings(models.Model):
    """The shop's health guarantee: how long after adoption a listed condition is covered."""

    window_days = models.PositiveSmallIntegerField(_("guarantee window (days)"), default=30)
    conditions = ArrayField(models.CharField(max_length=60), default=_default_conditions)


class GuaranteeClaim(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pet = models.ForeignKey(Pet, on_delete=models.PROTECT, related_name="guarantee_claims")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="guarantee_claims")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    condition = models.CharField(_("condition"), max_length=60)
    diagnosed_on = models.DateField(_("diagnosed on"))
    evidence = models.FileField(_("vet's evidence"), upload_to="guarantee-evidence/%Y/%m/")
    note = models.TextField(_("what happened"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=GuaranteeClaimStatus.choices, default=GuaranteeClaimStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    replacement_pet = models.ForeignKey(Pet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pet"], condition=Q(status="submitted"), name="care_claim_one_open_per_pet")
        ]


class AdoptionListing(models.Model):
    """A shop pet offered for adoption, shown on the shop's public pages while listed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pet = models.ForeignKey(Pet, on_delete=models.PROTECT, related_name="listings")
    headline = models.CharField(_("headline"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    health_checks = models.TextField(_("health checks"), blank=True)
    fee_minor = models.BigIntegerField(_("adoption fee"), default=0)
    suggested_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ListingStatus.choices, default=ListingStatus.LISTED)
    listed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(fee_minor__gte=0), name="care_listing_fee_not_negative"),
            models.UniqueConstraint(
                fields=["pet"], condition=Q(status__in=["listed", "reserved"]), name="care_listing_one_open_per_pet"
            ),
        ]

    def __str__(self) -> str:
        return self.headline


class AdoptionApplication(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    listing = models.ForeignKey(AdoptionListing, on_delete=models.PROTECT, related_name="applications")
    name = models.CharField(_("your name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("email"), blank=True)
    housing = models.CharField(_("housing"), max_length=16, choices=Housing.choices)
    experience = models.TextField(_("experience with pets"))
    message = models.TextField(_("message to the shop"), blank=True)
    consent_at = models.DateTimeField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="care_application_queue_idx")]


class CareReminder(models.Model):
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="care_reminders")
    kind = models.CharField(max_length=24, choices=CareReminderKind.choices)
    due_on = models.DateField()
    suppressed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["pet", "kind", "due_on"], name="care_reminder_once")]
