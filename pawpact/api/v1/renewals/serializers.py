from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import RENEWAL_OFFER, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.billing.models import RenewalOffer


class RenewalOfferSerializer(serializers.ModelSerializer):
    object = ObjectField("renewal_offer")
    id = OpaqueIdField(RENEWAL_OFFER, source="pk", read_only=True)
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    renewal_contract_uuid = serializers.UUIDField(source="renewal_contract.uuid", read_only=True, allow_null=True)

    class Meta:
        model = RenewalOffer
        fields = [
            "object",
            "id", "contract_uuid", "options", "sent_at", "accepted_option", "accepted_at", "renewal_contract_uuid",
        ]  # fmt: skip


class RenewalAcceptInputSerializer(InputSerializer):
    option_key = serializers.CharField(max_length=40, allow_blank=True)
