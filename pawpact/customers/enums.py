from django.db import models
from django.utils.translation import gettext_lazy as _


class Species(models.TextChoices):
    CAT = "cat", _("Cat")
    DOG = "dog", _("Dog")
    OTHER = "other", _("Other")


class IdVerification(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class CustomerStanding(models.TextChoices):
    CURRENT = "current", _("Current")
    GRACE = "grace", _("Grace")
    OVERDUE = "overdue", _("Overdue")
    DEFAULT = "default", _("Default")


class Sex(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    MALE_NEUTERED = "male_neutered", _("Male, neutered")
    FEMALE_SPAYED = "female_spayed", _("Female, spayed")
