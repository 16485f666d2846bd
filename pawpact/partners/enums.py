from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartnerKind(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    GROOMER = "groomer", _("Groomer")


class PartnerState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VERIFIED = "verified", _("Verified")
    LISTED = "listed", pgettext_lazy("partner state", "Listed")
    RECTIFICATION = "rectification", _("Under rectification")
    DELISTED = "delisted", _("Delisted")


class PartnerService(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency care")
    CHECKUP = "checkup", _("Check-up")
    VACCINE = "vaccine", _("Vaccination")
    SURGERY = "surgery", _("Surgery")
    DENTAL = "dental", _("Dental care")
    GROOMING = "grooming", _("Grooming")
    BATH = "bath", _("Bath")
    BOARDING = "boarding", _("Boarding")


class StandardItem(models.TextChoices):
    """The service standard a partner must meet before it is verified."""

    LICENCE_DISPLAYED = "licence_displayed", _("Licence displayed on site")
    PRICE_LIST = "price_list", _("Public price list")
    HYGIENE = "hygiene", _("Clean, separate treatment and waiting areas")
    STERILISATION = "sterilisation", _("Instruments sterilised and logged")
    QUALIFIED_STAFF = "qualified_staff", _("Qualified vet or certified groomer on duty")
    RECORDS = "records", _("Service records kept for every pet")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeReason(models.TextChoices):
    """Why a partner's state changed: shown in its rectification history."""

    ONBOARDED = "onboarded", _("Application received")
    VERIFIED = "verified", _("Licence and service standard verified")
    LISTED = "listed", pgettext_lazy("partner state", "Listed")
    LOW_RATING = "low_rating", _("Average rating below 4 stars")
    RECOVERED = "recovered", _("Average rating back to 4 stars or more")
    LOW_RATING_AGAIN = "low_rating_again", _("Average rating below 4 stars a second time in a row")
    DELISTED_BY_ADMIN = "delisted_by_admin", _("Delisted by the platform")
    RELISTED_BY_ADMIN = "relisted_by_admin", _("Relisted by the platform")
    LICENCE_CHANGED = "licence_changed", _("Licence changed by the partner: awaiting review")
    LICENCE_REVIEWED = "licence_reviewed", _("Changed licence reviewed by the platform")


class PaymentStatus(models.TextChoices):
    """The platform's monthly payment to a partner: created → paid | failed | held; failed → paid;
    held (live, no verified payout account yet) → paid once the account is verified."""

    CREATED = "created", pgettext_lazy("payout", "Created")
    PAID = "paid", pgettext_lazy("payout", "Paid")
    FAILED = "failed", _("Failed")
    HELD = "held", pgettext_lazy("payout", "Held")
