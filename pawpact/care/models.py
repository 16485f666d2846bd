"""Services the shop sells, the resources that perform them (a groomer, a vet, a boarding
place) with their working hours and days off, and bookings.

Prices are integer fen. A resource is never booked twice at once: an exclusion
constraint over (resource, [starts_at, ends_at)) refuses the second row in the
database, whatever the workers do at the same time.
"""
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.billing.models import Contract, DebitPeriod
from pawpact.care.enums import (
    BenefitSource,
    BookingStatus,
    ComplaintCategory,
    ComplaintClock,
    ComplaintStatus,
    PaymentStatus,
    ServiceKind,
)
from pawpact.customers.models import Customer, Pet
from pawpact.storefront.models import Order


class ServiceType(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    price_minor = models.BigIntegerField(_("price"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="care_service_price_not_negative"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=1440), name="care_service_duration_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """Who or what performs a service: one booking at a time."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=80)
    services = models.ManyToManyField(ServiceType, related_name="resources", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One opening window of a resource on a weekday (0 = Monday), shop-local time."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["resource_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="care_hours_weekday_range"),
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="care_hours_open_before_close"),
        ]


class DayOff(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="days_off")
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["resource_id", "day"]
        constraints = [models.UniqueConstraint(fields=["resource", "day"], name="care_day_off_unique")]


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()


class Booking(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="bookings")
    pet = models.ForeignKey(Pet, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="bookings")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    # What covers the price, decided when booked (or rescheduled into another period).
    benefit_source = models.CharField(_("paid by"), max_length=24, choices=BenefitSource.choices)
    benefit_reference = models.CharField(max_length=120, blank=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.ForeignKey(DebitPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    price_minor = models.BigIntegerField(_("price"))
    amount_due_minor = models.BigIntegerField(_("to pay"))
    payment_status = models.CharField(max_length=16, choices=PaymentStatus.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            ExclusionConstraint(
                name="care_booking_no_double_booking",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status=BookingStatus.CANCELLED),
            ),
            models.CheckConstraint(condition=Q(starts_at__lt=models.F("ends_at")), name="care_booking_starts_first"),
            models.CheckConstraint(
                condition=Q(amount_due_minor__gte=0, amount_due_minor__lte=models.F("price_minor")),
                name="care_booking_due_within_price",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="care_booking_resource_idx"),
            models.Index(fields=["status", "starts_at"], name="care_booking_status_idx"),
            models.Index(fields=["contract", "period"], name="care_booking_benefit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.pet} · {self.starts_at:%Y-%m-%d %H:%M}"


class Complaint(models.Model):
    """A customer's complaint with two clocks from when it was (re)opened: a first response
    within 24 hours, a resolution within 48. A missed clock is recorded once, when the
    breach run first sees it, and the owner is told."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    text = models.TextField(_("what happened"))
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    livemode = models.BooleanField(default=False)
    opened_at = models.DateTimeField(_("opened"))
    respond_by = models.DateTimeField(_("respond by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "respond_by"], name="care_complaint_clock_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.customer}"


class ComplaintEntry(models.Model):
    """One line of the complaint's thread: the customer's words or the staff's answer."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="entries")
    by_staff = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="complaint-photos/%Y/%m/")


class ComplaintBreach(models.Model):
    """A missed clock, listed for the owner; one per complaint, clock and (re)opening."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="breaches")
    clock = models.CharField(max_length=16, choices=ComplaintClock.choices)
    due_at = models.DateTimeField()
    noticed_at = models.DateTimeField()

    class Meta:
        ordering = ["-noticed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "clock", "due_at"], name="care_complaint_breach_once")
        ]

from pawpact.care.pet_models import (  # noqa: F401 - one registry for the app's models
    AdoptionApplication,
    AdoptionListing,
    CareReminder,
    GuaranteeClaim,
    GuaranteeSettings,
    HealthRecord,
    PetPhoto,
    PetWeight,
)
