from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.serializers import InputSerializer
from pawpact.care.enums import ComplaintCategory, ComplaintStatus, ServiceKind
from pawpact.care.models import Booking, Complaint, Resource, ServiceType


class ServiceTypeSerializer(serializers.ModelSerializer):
    object = ObjectField("service_type")
    class Meta:
        model = ServiceType
        fields = ["object", "uuid", "name", "kind", "duration_minutes", "price_minor", "is_active"]


class ServiceTypeInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=1440)
    price_minor = serializers.IntegerField(min_value=0, max_value=10**8, help_text=_("Fen."))


class WorkingHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text=_("0 = Monday."))
    opens = serializers.TimeField()
    closes = serializers.TimeField()


class ResourceSerializer(serializers.ModelSerializer):
    object = ObjectField("resource")
    service_uuids = serializers.SlugRelatedField(source="services", slug_field="uuid", many=True, read_only=True)
    hours = WorkingHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Resource
        fields = ["object", "uuid", "name", "service_uuids", "hours", "is_active"]


class ResourceInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=80)
    service_uuids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)
    hours = WorkingHoursSerializer(many=True, allow_empty=False)


class DayOffInputSerializer(InputSerializer):
    day = serializers.DateField()
    reason = serializers.CharField(max_length=120, required=False, allow_blank=True)


class DayOffSerializer(serializers.Serializer):
    object = ObjectField("day_off")
    day = serializers.DateField()
    reason = serializers.CharField()


class SlotQuerySerializer(serializers.Serializer):
    service_uuid = serializers.UUIDField()
    date_from = serializers.DateField()
    date_to = serializers.DateField(help_text=_("At most 31 days after date_from."))
    resource_uuid = serializers.UUIDField(required=False)


class SlotSerializer(serializers.Serializer):
    object = ObjectField("slot")
    resource_uuid = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class BookingSerializer(serializers.ModelSerializer):
    object = ObjectField("booking")
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    pet_uuid = serializers.UUIDField(source="pet.uuid", read_only=True)
    service_uuid = serializers.UUIDField(source="service.uuid", read_only=True)
    resource_uuid = serializers.UUIDField(source="resource.uuid", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "object",
            "uuid", "customer_uuid", "pet_uuid", "service_uuid", "resource_uuid", "starts_at", "ends_at", "status",
            "benefit_source", "price_minor", "amount_due_minor", "payment_status", "note", "reminded_at",
            "created_at", "cancelled_at", "completed_at",
        ]  # fmt: skip


class BookingQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=_("Staff: the day's bookings (shop-local)."))


class BookingInputSerializer(InputSerializer):
    pet_uuid = serializers.UUIDField()
    service_uuid = serializers.UUIDField()
    resource_uuid = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class BookingRescheduleSerializer(InputSerializer):
    starts_at = serializers.DateTimeField()
    resource_uuid = serializers.UUIDField(required=False)


class BookingCompleteSerializer(InputSerializer):
    collected = serializers.BooleanField(help_text=_("The amount due was collected at the counter."))


class ComplaintEntrySerializer(serializers.Serializer):
    by_staff = serializers.BooleanField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComplaintSerializer(serializers.ModelSerializer):
    object = ObjectField("complaint")
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    booking_uuid = serializers.UUIDField(source="booking.uuid", read_only=True, allow_null=True)
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True, allow_null=True)
    order_uuid = serializers.UUIDField(source="order.uuid", read_only=True, allow_null=True)
    entries = ComplaintEntrySerializer(many=True, read_only=True)
    photo_count = serializers.IntegerField(source="photos.count", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "object",
            "uuid", "customer_uuid", "category", "text", "booking_uuid", "contract_uuid", "order_uuid", "status",
            "opened_at", "respond_by", "resolve_by", "responded_at", "resolved_at", "closed_at",
            "response_breached_at", "resolution_breached_at", "reopened_count", "entries", "photo_count",
        ]  # fmt: skip


class ComplaintInputSerializer(InputSerializer):
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    text = serializers.CharField(max_length=4000)
    booking_uuid = serializers.UUIDField(required=False)
    contract_uuid = serializers.UUIDField(required=False)
    order_uuid = serializers.UUIDField(required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=6)


class ComplaintQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, required=False)
    breached = serializers.BooleanField(required=False, help_text=_("Staff: only complaints that missed a clock."))


class ComplaintTextSerializer(InputSerializer):
    text = serializers.CharField(max_length=4000)
