from rest_framework import serializers

from pawpact.customers.models import Customer


class SegmentCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["uuid", "name", "phone", "standing", "standing_since", "created_at"]


class WinBackRedeemInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=24)
    contract_uuid = serializers.UUIDField()


class WinBackOfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    discount_rate = serializers.DecimalField(max_digits=4, decimal_places=3)
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    redeemed_contract_uuid = serializers.UUIDField(source="redeemed_contract.uuid", allow_null=True)
