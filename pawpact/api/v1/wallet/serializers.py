from rest_framework import serializers

from pawpact.api.serializers import InputSerializer
from pawpact.loyalty.wallet_models import MallItem, Redemption, RedemptionStatus, StoredValueMovement, TopUp, TopUpStatus


class ReferralSerializer(serializers.Serializer):
    code = serializers.CharField()
    share_url = serializers.URLField()
    referred = serializers.IntegerField(help_text="Newcomers who came with the code.")
    converted = serializers.IntegerField(help_text="Of them, those who signed a plan.")
    points_earned = serializers.IntegerField()
    credit_earned_minor = serializers.IntegerField()
    currency = serializers.CharField()


class ReferralClaimInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=12)


class ReferralClaimSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    status = serializers.CharField()
    deposit_discount_minor = serializers.IntegerField(help_text="What comes off the deposit of the first plan.")


class MallItemSerializer(serializers.ModelSerializer):
    cash_minor = serializers.IntegerField()
    currency = serializers.SerializerMethodField()

    class Meta:
        model = MallItem
        fields = ["id", "name", "description", "points", "cash_minor", "currency", "stock"]

    def get_currency(self, _item) -> str:
        return "CNY"


class RedeemInputSerializer(InputSerializer):
    item_id = serializers.IntegerField(min_value=1)
    payment_method_id = serializers.IntegerField(min_value=1, required=False, help_text="For an item with a cash part.")


class RedemptionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=RedemptionStatus.choices)
    item_id = serializers.IntegerField()
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Redemption
        fields = ["uuid", "item_id", "item_name", "points", "cash_minor", "currency", "status", "created_at"]

    def get_currency(self, _redemption) -> str:
        return "CNY"


class StoredValueSerializer(serializers.Serializer):
    paid_minor = serializers.IntegerField()
    gift_minor = serializers.IntegerField()
    total_minor = serializers.IntegerField()
    refundable_minor = serializers.IntegerField(help_text="The paid part; gift value is never refunded.")
    currency = serializers.CharField()


class StoredValueMovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = StoredValueMovement
        fields = ["kind", "paid_minor", "gift_minor", "occurred_at"]


class TopUpInputSerializer(InputSerializer):
    amount_minor = serializers.IntegerField(min_value=1, max_value=5_000_000)
    payment_method_id = serializers.IntegerField(min_value=1)


class TopUpSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=TopUpStatus.choices)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = TopUp
        fields = ["uuid", "amount_minor", "gift_minor", "currency", "status", "created_at"]

    def get_currency(self, _top_up) -> str:
        return "CNY"
