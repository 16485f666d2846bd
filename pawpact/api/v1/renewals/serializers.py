from rest_framework import serializers

from pawpact.billing.models import RenewalOffer


class RenewalOfferSerializer(serializers.ModelSerializer):
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    renewal_contract_uuid = serializers.UUIDField(source="renewal_contract.uuid", read_only=True, allow_null=True)

    class Meta:
        model = RenewalOffer
        fields = [
            "id", "contract_uuid", "options", "sent_at", "accepted_option", "accepted_at", "renewal_contract_uuid",
        ]  # fmt: skip


class RenewalAcceptInputSerializer(serializers.Serializer):
    option_key = serializers.CharField(max_length=40, allow_blank=True)
