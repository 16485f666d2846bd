"""Service partners (public schema): clinics and groomers the platform vets and lists,
the bookings shops send them, and the ratings customers give those bookings.

Shops refer to these rows by id; every booking and rating carries its shop, and every
read of them names the shop (pawpact.partners.selectors), so no shop sees another's.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.partners.enums import (
    BookingStatus,
    ChangeReason,
    PartnerKind,
    PartnerService,
    PartnerState,
    PaymentStatus,
)
from pawpact.partners.hours import week_lines
from pawpact.tenants.models import Shop


class Partner(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40)
    address = models.CharField(pgettext_lazy("street", "address"), max_length=255)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    services = ArrayField(models.CharField(max_length=16, choices=PartnerService.choices), default=list)
    open_24h = models.BooleanField(_("open 24 hours"), default=False)
    # Monday first, each day a list of ["HH:MM", "HH:MM"] ranges; [] is "not given" (pawpact.partners.hours).
    weekly_hours = models.JSONField(_("opening hours"), default=list, blank=True)
    hours_note = models.CharField(_("note on the hours"), max_length=120, blank=True)  # e.g. "closed on public holidays"
    checklist = ArrayField(models.CharField(max_length=32), default=list, blank=True)  # StandardItem values met
    licence_number = models.CharField(_("licence number"), max_length=60)
    licence_file = models.FileField(_("licence document"), upload_to="partner-licences/%Y/%m/")
    state = models.CharField(max_length=16, choices=PartnerState.choices, default=PartnerState.APPLIED)
    # The agreed price a shop pays this partner for one redeemed plan entitlement.
    entitlement_price_minor = models.BigIntegerField(default=0)
    rectification_started_at = models.DateTimeField(null=True, blank=True)
    # The partner changed its licence document or number: the platform checks it again.
    licence_review_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Emergency search: only the clinics it can return, a latitude range with longitude filtered in the index.
            models.Index(
                fields=["latitude", "longitude"],
                name="partner_clinic_search_idx",
                condition=Q(kind="clinic", state__in=["listed", "rectification"]),
            ),  # fmt: skip
        ]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90), name="partner_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180), name="partner_longitude_range"
            ),
            models.CheckConstraint(condition=Q(entitlement_price_minor__gte=0), name="partner_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hours_lines(self) -> list[tuple[str, str]]:
        return week_lines(self.weekly_hours, open_24h=self.open_24h)

    @property
    def service_labels(self) -> list[str]:
        labels = dict(PartnerService.choices)
        return [str(labels.get(service, service)) for service in self.services]


class PartnerStateChange(models.Model):
    """The partner's history: every state it entered, why, and the average at that moment."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=16, choices=PartnerState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=PartnerState.choices)
    reason = models.CharField(max_length=24, choices=ChangeReason.choices)
    average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]


class PartnerBooking(models.Model):
    """A shop's booking of a partner's service for one of its customers' pets."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="bookings")
    customer_uuid = models.UUIDField()
    customer_name = models.CharField(max_length=120)
    pet_name = models.CharField(max_length=80)
    service = models.CharField(max_length=16, choices=PartnerService.choices)
    scheduled_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)
    # Redeemed against the customer's plan entitlement: the shop owes the partner `price_minor`.
    with_entitlement = models.BooleanField(default=False)
    price_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="CNY")
    # Which allowance a redemption uses (the shop's contract, its debit period, the entitlement kind), so
    # the shop counts it against that period exactly like an in-shop booking.
    contract_uuid = models.UUIDField(null=True, blank=True)
    period_number = models.PositiveIntegerField(null=True, blank=True)
    entitlement_kind = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.REQUESTED)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["shop", "-scheduled_at"], name="partner_booking_shop_idx"),
            models.Index(fields=["shop", "contract_uuid", "period_number"], name="partner_booking_allowance_idx",
                         condition=Q(with_entitlement=True)),  # fmt: skip
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="partner_booking_price_not_negative"),
        ]


class PartnerRating(models.Model):
    """A customer's 1–5 stars for one completed booking; one per booking."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="ratings")
    booking = models.OneToOneField(PartnerBooking, on_delete=models.PROTECT, related_name="rating")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at"], name="partner_rating_recent_idx")]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="partner_rating_1_to_5")]


class PartnerPayment(models.Model):
    """What the platform pays a partner for one month of redeemed plan entitlements, once:
    the transfer carries the key "partner.payment:<id>", so a retry is the same transfer."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payments")
    month = models.DateField()
    currency = models.CharField(max_length=3, default="CNY")
    redemptions = models.PositiveIntegerField()
    amount_minor = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    rail = models.CharField(max_length=24, blank=True)
    rail_reference = models.CharField(max_length=120, blank=True)
    failure = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month", "currency"], name="partner_payment_once_per_month"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="partner_payment_amount_positive"),
        ]


class PartnerMember(models.Model):
    """A person who signs in for a partner (invited by a platform admin): one partner per account."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner_id", "id"]
