from django.utils.translation import gettext_lazy
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import POINTS_ENTRY, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.customers.models import Customer


class SegmentCustomerSerializer(serializers.ModelSerializer):
    object = ObjectField("segment_customer")
    class Meta:
        model = Customer
        fields = ["object", "uuid", "name", "phone", "standing", "standing_since", "created_at"]


class WinBackRedeemInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=24)
    contract_uuid = serializers.UUIDField()


class WinBackOfferSerializer(serializers.Serializer):
    object = ObjectField("win_back_offer")
    code = serializers.CharField()
    discount_rate = serializers.DecimalField(max_digits=4, decimal_places=3)
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    redeemed_contract_uuid = serializers.UUIDField(source="redeemed_contract.uuid", allow_null=True)


class TierSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    display_name = serializers.CharField(
        help_text=gettext_lazy("The name to show, in the request's language: a preset's name is translated, a shop's own as typed.")
    )
    goods_discount_percent = serializers.IntegerField()
    free_service_quota = serializers.IntegerField()
    quota_period = serializers.CharField()
    points_multiplier = serializers.DecimalField(max_digits=4, decimal_places=2)
    birthday_multiplier = serializers.DecimalField(max_digits=4, decimal_places=2)


class MissingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["spend_minor", "paid_months", "visits"])
    amount = serializers.IntegerField(help_text=gettext_lazy("Fen for spend_minor; months or visits otherwise."))
    window_months = serializers.IntegerField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    next_tier = TierSerializer(allow_null=True)
    missing = MissingSerializer(many=True, help_text=gettext_lazy("Any one of these reaches the next tier."))
    on_time_streak = serializers.IntegerField(source="streak")
    streak_lift = serializers.IntegerField()


class ExpirySerializer(serializers.Serializer):
    expires_on = serializers.DateField()
    points = serializers.IntegerField()


class MembershipSerializer(serializers.Serializer):
    object = ObjectField("membership")
    customer_uuid = serializers.UUIDField(source="customer.uuid")
    customer_name = serializers.CharField(source="customer.name")
    tier = TierSerializer(allow_null=True)
    tier_since = serializers.DateField(allow_null=True)
    points_balance = serializers.IntegerField()
    points_frozen = serializers.IntegerField(help_text=gettext_lazy("Earned while overdue; released once paid."))
    rfm_recency = serializers.IntegerField()
    rfm_frequency = serializers.IntegerField()
    rfm_monetary = serializers.IntegerField()


class MembershipDetailSerializer(MembershipSerializer):
    object = ObjectField("membership_detail")
    progress = ProgressSerializer()
    expiring = ExpirySerializer(many=True)


class MemberQuerySerializer(InputSerializer):
    search = serializers.CharField(required=False, max_length=80)
    tier_rank = serializers.IntegerField(required=False, min_value=-1, max_value=7)


class PointsEntrySerializer(serializers.Serializer):
    object = ObjectField("points_entry")
    id = OpaqueIdField(POINTS_ENTRY, read_only=True)
    kind = serializers.CharField()
    points = serializers.IntegerField()
    source_event = serializers.CharField()
    memo = serializers.CharField()
    frozen = serializers.BooleanField()
    expires_on = serializers.DateField(allow_null=True)
    occurred_at = serializers.DateTimeField()
