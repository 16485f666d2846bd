from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceKind(models.TextChoices):
    # The first four share their value with a plan entitlement kind (billing.enums.EntitlementKind),
    # so a plan's monthly grooming covers a grooming booking.
    GROOMING = "grooming", _("Grooming")
    CHECKUP = "checkup", _("Check-up")
    VACCINE = "vaccine", _("Vaccine")
    DEWORMING = "deworming", _("Deworming")
    CONSULTATION = "consultation", _("Consultation")
    BOARDING = "boarding", _("Boarding")
    TRAINING = "training", _("Training")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("booking", "Booked")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class BenefitSource(models.TextChoices):
    """What pays for a booking: the first source in settings.PAWPACT_CARE_BENEFIT_SOURCES that
    covers it, else the customer pays at the counter."""

    PLAN_ENTITLEMENT = "plan_entitlement", _("Plan entitlement")
    TIER_BENEFIT = "tier_benefit", _("Membership tier benefit")
    COUPON = "coupon", _("Coupon")
    PAID = "paid", _("Paid by the customer")


class PaymentStatus(models.TextChoices):
    NOT_DUE = "not_due", _("Nothing to pay")
    DUE = "due", _("To pay at the counter")
    PAID = "paid", _("Paid")


class ComplaintCategory(models.TextChoices):
    SERVICE = "service", _("A service (grooming, check-up…)")
    PRODUCT = "product", _("A product or delivery")
    BILLING = "billing", _("A debit or a contract")
    STAFF = "staff", _("Staff behaviour")
    HEALTH = "health", _("The pet's health")
    OTHER = "other", _("Something else")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved, awaiting the customer")
    CLOSED = "closed", _("Closed")


class ComplaintClock(models.TextChoices):
    RESPONSE = "response", _("First response (24 h)")
    RESOLUTION = "resolution", _("Resolution (48 h)")
