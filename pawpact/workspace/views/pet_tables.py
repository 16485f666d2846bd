"""The columns the pets section's lists export."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.care.pet_enums import ApplicationStatus, GuaranteeClaimStatus, Housing, ListingStatus
from pawpact.core.bilingual import in_reader_language
from pawpact.customers.enums import Sex, Species
from pawpact.workspace.exports import column, local, yuan


def _label(choices):
    return lambda value: str(choices(value).label) if value in choices.values else value


PET_COLUMNS = [
    column(pgettext_lazy("pet", "Pet"), "name"),
    column(_("Species"), "species", show=_label(Species)),
    column(_("Breed"), "breed"),
    column(_("Sex"), "sex", show=_label(Sex)),
    column(_("Birthday"), "birthday"),
    column(_("Adoption date"), "adoption_date"),
    column(_("Owner"), "owner__name"),
    column(_("Phone"), "owner__phone"),
    column(_("Allergies"), "allergies"),
    column(_("Microchip number"), "microchip"),
]

LISTING_COLUMNS = [
    column(_("Listed"), "listed_at", show=local),
    column(_("Headline"), "headline"),
    column(pgettext_lazy("pet", "Pet"), "pet__name"),
    column(_("Adoption fee (¥)"), "fee_minor", show=yuan),
    column(_("Suggested plan"), "suggested_plan__name", "suggested_plan__name_en",
           show=lambda name, name_en: in_reader_language(name or "", name_en or "")),
    column(_("Status"), "status", show=_label(ListingStatus)),
]

APPLICATION_COLUMNS = [
    column(_("Received"), "submitted_at", show=local),
    column(pgettext_lazy("pet", "Pet"), "listing__pet__name"),
    column(_("Name"), "name"),
    column(_("Phone"), "phone"),
    column(_("Email"), "email"),
    column(_("Housing"), "housing", show=_label(Housing)),
    column(_("Experience with pets"), "experience"),
    column(_("Status"), "status", show=_label(ApplicationStatus)),
    column(_("Reason"), "decision_reason"),
]

CLAIM_COLUMNS = [
    column(_("Received"), "submitted_at", show=local),
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(pgettext_lazy("pet", "Pet"), "pet__name"),
    column(_("Condition"), "condition"),
    column(_("Diagnosed on"), "diagnosed_on"),
    column(_("Status"), "status", show=_label(GuaranteeClaimStatus)),
    column(_("Decided"), "decided_at", show=local),
    column(_("Note"), "decision_note"),
]
