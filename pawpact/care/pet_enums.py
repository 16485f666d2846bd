from django.db import models
from django.utils.translation import gettext_lazy as _


class HealthRecordKind(models.TextChoices):
    VACCINE = "vaccine", _("Vaccine")
    DEWORMING = "deworming", _("Deworming")
    CHECKUP = "checkup", _("Check-up")


class GuaranteeClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the shop")
    REPLACEMENT = "replacement", _("Replacement pet")
    REFUND = "refund", _("Refund (plan ended)")
    DECLINED = "declined", _("Declined")


class ListingStatus(models.TextChoices):
    LISTED = "listed", _("Open for applications")
    RESERVED = "reserved", _("Reserved")
    ADOPTED = "adopted", _("Adopted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class Housing(models.TextChoices):
    OWN_FLAT = "own_flat", _("Own flat")
    RENTED_FLAT = "rented_flat", _("Rented flat (pets allowed)")
    HOUSE = "house", _("House with garden")
    OTHER = "other", _("Other")


class CareReminderKind(models.TextChoices):
    VACCINE_DUE = "vaccine_due", _("Vaccine due")
    DEWORMING_DUE = "deworming_due", _("Deworming due")
    BIRTHDAY = "birthday", _("Birthday")
    ADOPTION_ANNIVERSARY = "adoption_anniversary", _("Adoption anniversary")
