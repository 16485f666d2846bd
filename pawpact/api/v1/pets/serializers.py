from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import PHOTO, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.care.pet_enums import ApplicationStatus, GuaranteeClaimStatus, HealthRecordKind, Housing
from pawpact.care.pet_models import AdoptionApplication, AdoptionListing, GuaranteeClaim, HealthRecord
from pawpact.customers.enums import Sex


class WeightSerializer(serializers.Serializer):
    measured_on = serializers.DateField()
    grams = serializers.IntegerField()


class HealthRecordSerializer(serializers.ModelSerializer):
    object = ObjectField("health_record")
    class Meta:
        model = HealthRecord
        fields = ["object", "uuid", "kind", "done_on", "product", "next_due", "clinic", "note", "created_at"]


class PhotoSerializer(serializers.Serializer):
    id = OpaqueIdField(PHOTO, read_only=True)
    uploaded_at = serializers.DateTimeField()


class PetArchiveSerializer(serializers.Serializer):
    object = ObjectField("pet_archive")
    uuid = serializers.UUIDField()
    owner_uuid = serializers.UUIDField(source="owner.uuid", allow_null=True, default=None)
    name = serializers.CharField()
    species = serializers.CharField()
    breed = serializers.CharField()
    sex = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    adoption_date = serializers.DateField(allow_null=True)
    allergies = serializers.CharField()
    microchip = serializers.CharField()
    weights = WeightSerializer(many=True)
    health_records = HealthRecordSerializer(many=True)
    photos = PhotoSerializer(many=True)


class PetArchiveUpdateSerializer(InputSerializer):
    min_properties = 1
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    allergies = serializers.CharField(max_length=255, required=False, allow_blank=True)
    microchip = serializers.CharField(max_length=32, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    adoption_date = serializers.DateField(required=False, allow_null=True)


class WeightInputSerializer(InputSerializer):
    measured_on = serializers.DateField()
    grams = serializers.IntegerField(min_value=1, max_value=200_000, help_text=_("Grams, above 0."))


class HealthRecordInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=HealthRecordKind.choices)
    done_on = serializers.DateField()
    product = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    next_due = serializers.DateField(required=False, allow_null=True, default=None)
    clinic = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PhotoInputSerializer(InputSerializer):
    photos = serializers.ListField(child=serializers.FileField(), max_length=6)


class ListingSerializer(serializers.ModelSerializer):
    object = ObjectField("listing")
    pet = PetArchiveSerializer(read_only=True)
    suggested_plan_code = serializers.CharField(source="suggested_plan.code", allow_null=True, default=None, read_only=True)

    class Meta:
        model = AdoptionListing
        fields = ["object", "uuid", "headline", "description", "health_checks", "fee_minor", "suggested_plan_code", "status", "listed_at", "pet"]


class ApplicationInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=80)
    phone = serializers.CharField(max_length=32)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    housing = serializers.ChoiceField(choices=Housing.choices)
    experience = serializers.CharField(max_length=2000)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    consent = serializers.BooleanField(help_text=_("The applicant agrees to be contacted and to these details being kept for the adoption."))


class ApplicationSerializer(serializers.ModelSerializer):
    object = ObjectField("application")
    listing_uuid = serializers.UUIDField(source="listing.uuid", read_only=True)
    customer_uuid = serializers.UUIDField(source="customer.uuid", allow_null=True, default=None, read_only=True)

    class Meta:
        model = AdoptionApplication
        fields = [
            "object",
            "uuid", "listing_uuid", "name", "phone", "email", "housing", "experience", "message", "status",
            "customer_uuid", "submitted_at", "decided_at", "decision_reason",
        ]  # fmt: skip


class ApplicationReceiptSerializer(serializers.Serializer):
    """What an anonymous applicant gets back: no one else's details."""
    object = ObjectField("application_receipt")

    uuid = serializers.UUIDField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ApproveInputSerializer(InputSerializer):
    customer_uuid = serializers.UUIDField()


class ReasonInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200)


class ClaimSerializer(serializers.ModelSerializer):
    object = ObjectField("claim")
    pet_uuid = serializers.UUIDField(source="pet.uuid", read_only=True)
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    contract_uuid = serializers.UUIDField(source="contract.uuid", allow_null=True, default=None, read_only=True)
    replacement_pet_uuid = serializers.UUIDField(source="replacement_pet.uuid", allow_null=True, default=None, read_only=True)

    class Meta:
        model = GuaranteeClaim
        fields = [
            "object",
            "uuid", "pet_uuid", "customer_uuid", "contract_uuid", "condition", "diagnosed_on", "note", "status",
            "submitted_at", "decided_at", "decision_note", "replacement_pet_uuid",
        ]  # fmt: skip


class ClaimInputSerializer(InputSerializer):
    pet_uuid = serializers.UUIDField()
    condition = serializers.CharField(max_length=60)
    diagnosed_on = serializers.DateField()
    evidence = serializers.FileField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ClaimDecideSerializer(InputSerializer):
    outcome = serializers.ChoiceField(choices=[(v, label) for v, label in GuaranteeClaimStatus.choices if v in ("replacement", "refund")])
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    replacement_pet_uuid = serializers.UUIDField(required=False)


class ApplicationQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, required=False)
