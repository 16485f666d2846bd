"""The shop's customers and their pets: every tenant app needs them."""
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.customers.enums import CustomerStanding, IdVerification, Sex, Species


def message_language_of(language: str) -> str:
    """A customer's stored language ("" for the shop's default) as the one to write in."""
    return language or settings.LANGUAGE_CODE


class Customer(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The developer's own key-value pairs (pawpact.core.metadata): stored as given, never read here.
    metadata = models.JSONField(default=dict, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="customer"
    )
    name = models.CharField(_("name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=32, unique=True)
    # Optional; one customer per address at a shop, whatever its letters' case ("" is none).
    email = models.CharField(_("email"), max_length=254, blank=True, default="")
    # The language messages to the customer are written in; "" is the shop's default language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    birth_date = models.DateField(_("birth date"))
    id_verification = models.CharField(
        _("ID verification"), max_length=16, choices=IdVerification.choices, default=IdVerification.UNVERIFIED
    )
    # Overdue holds the next shipment and freezes points/tier progress; recovery releases both.
    standing = models.CharField(
        _("standing"), max_length=16, choices=CustomerStanding.choices, default=CustomerStanding.CURRENT
    )
    standing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        # `metadata[key]=value` filters are jsonb containment, answered by this index.
        indexes = [GinIndex(fields=["metadata"], opclasses=["jsonb_path_ops"], name="customer_metadata_gin")]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="customer_email_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def message_language(self) -> str:
        """The language to write to this customer in."""
        return message_language_of(self.language)


class Pet(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The developer's own key-value pairs (pawpact.core.metadata): stored as given, never read here.
    metadata = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="pets")
    # An animal's name (名字), not a person's (姓名).
    name = models.CharField(pgettext_lazy("pet", "name"), max_length=80)
    species = models.CharField(_("species"), max_length=16, choices=Species.choices)
    breed = models.CharField(_("breed"), max_length=80, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    adoption_date = models.DateField(_("adoption date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    allergies = models.CharField(_("allergies"), max_length=255, blank=True)
    microchip = models.CharField(_("microchip number"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name
