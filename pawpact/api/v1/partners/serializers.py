from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import PARTNER, PARTNER_BOOKING, OpaqueIdField
from pawpact.partners.enums import BookingStatus, PartnerKind, PartnerService, PartnerState
from pawpact.partners.selectors import EMERGENCY_RADIUS_M


class NearbyQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text=_("Latitude, -90 to 90."))
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text=_("Longitude, -180 to 180."))
    radius_m = serializers.IntegerField(min_value=100, max_value=EMERGENCY_RADIUS_M, default=EMERGENCY_RADIUS_M)
    open_now = serializers.BooleanField(default=False, help_text=_("true: only clinics open at this moment."))


class NearbyClinicSerializer(serializers.Serializer):
    object = ObjectField("nearby_clinic")
    id = OpaqueIdField(PARTNER, read_only=True, help_text=_("The clinic's partner `id`."))
    name = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    open_24h = serializers.BooleanField()
    open_now = serializers.BooleanField(allow_null=True, help_text=_("null: the clinic has not given its hours."))
    weekly_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        help_text=_("Monday first: each day's [open, close] times (HH:MM, local time); [] when not given."),
    )
    distance_m = serializers.IntegerField()


class PartnerQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PartnerKind.choices, required=False)
    service = serializers.ChoiceField(choices=PartnerService.choices, required=False)


class PartnerSerializer(serializers.Serializer):
    object = ObjectField("partner")
    id = OpaqueIdField(PARTNER, read_only=True)
    kind = serializers.ChoiceField(choices=PartnerKind.choices)
    name = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    services = serializers.ListField(child=serializers.ChoiceField(choices=PartnerService.choices))
    open_24h = serializers.BooleanField()
    state = serializers.ChoiceField(choices=PartnerState.choices)
    entitlement_price_minor = serializers.IntegerField()
    rating_count = serializers.IntegerField()
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True,
                                              help_text=_("null: no rating yet (no data, not 0)."))  # fmt: skip
    standing_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True,
        help_text=_("The average the rectification rule judges (each customer's latest rating of the last 90 days, "
                    "the latest 20); null below 5 customers (no data)."),
    )  # fmt: skip
    standing_customers = serializers.IntegerField(help_text=_("Customers in that window."))


class RatingSerializer(serializers.Serializer):
    object = ObjectField("rating")
    stars = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class PartnerBookingSerializer(serializers.Serializer):
    object = ObjectField("partner_booking")
    id = OpaqueIdField(PARTNER_BOOKING, read_only=True)
    partner_id = OpaqueIdField(PARTNER, read_only=True)
    partner_name = serializers.CharField(source="partner.name")
    customer_uuid = serializers.UUIDField()
    pet_name = serializers.CharField()
    service = serializers.ChoiceField(choices=PartnerService.choices)
    scheduled_at = serializers.DateTimeField()
    note = serializers.CharField()
    with_entitlement = serializers.BooleanField()
    price_minor = serializers.IntegerField(
        help_text=_("What the shop owes the partner for a redeemed entitlement, in fen.")
    )
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    completed_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.SerializerMethodField()

    def get_rating(self, booking) -> dict | None:
        rating = getattr(booking, "rating", None) if hasattr(booking, "rating") else None
        return RatingSerializer(rating).data if rating is not None else None


class PartnerBookingInputSerializer(serializers.Serializer):
    partner_id = OpaqueIdField(PARTNER, help_text=_("A partner's `id`."))
    pet_uuid = serializers.UUIDField()
    service = serializers.ChoiceField(choices=PartnerService.choices)
    scheduled_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    with_entitlement = serializers.BooleanField(default=False)


class RatingInputSerializer(serializers.Serializer):
    # The service's own message, so the API and the page refuse alike.
    stars = serializers.IntegerField(
        min_value=1, max_value=5, error_messages=dict.fromkeys(("min_value", "max_value"), _("Give 1 to 5 stars."))
    )
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
