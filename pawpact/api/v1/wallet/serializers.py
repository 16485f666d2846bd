from django.utils.translation import gettext_lazy
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import MALL_ITEM, PAYMENT_METHOD, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.loyalty.wallet_models import (
    MallItem,
    Redemption,
    RedemptionStatus,
    RefundLegStatus,
    StoredValueMovement,
    StoredValueRefund,
    StoredValueRefundLeg,
    TopUp,
    TopUpStatus,
)  # fmt: skip


class ReferralSerializer(serializers.Serializer):
    object = ObjectField("referral")
    code = serializers.CharField()
    share_url = serializers.URLField()
    referred = serializers.IntegerField(help_text=gettext_lazy("Newcomers who came with the code."))
    converted = serializers.IntegerField(help_text=gettext_lazy("Of them, those who signed a plan."))
    points_earned = serializers.IntegerField()
    credit_earned_minor = serializers.IntegerField()
    currency = serializers.CharField()


class ReferralClaimInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=12)


class ReferralClaimSerializer(serializers.Serializer):
    object = ObjectField("referral_claim")
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    status = serializers.CharField()
    deposit_discount_minor = serializers.IntegerField(help_text=gettext_lazy("What comes off the deposit of the first plan."))


class MallItemSerializer(serializers.ModelSerializer):
    object = ObjectField("mall_item")
    id = OpaqueIdField(MALL_ITEM, read_only=True)
    cash_minor = serializers.IntegerField()
    currency = serializers.SerializerMethodField()

    class Meta:
        model = MallItem
        fields = ["object", "id", "name", "description", "points", "cash_minor", "currency", "stock"]

    def get_currency(self, _item) -> str:
        return "CNY"


class RedeemInputSerializer(InputSerializer):
    item_id = OpaqueIdField(MALL_ITEM, help_text="A mall item's `id`.")
    payment_method_id = OpaqueIdField(PAYMENT_METHOD, required=False, help_text="For an item with a cash part.")


class RedemptionSerializer(serializers.ModelSerializer):
    object = ObjectField("redemption")
    status = serializers.ChoiceField(choices=RedemptionStatus.choices)
    item_id = OpaqueIdField(MALL_ITEM, read_only=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Redemption
        fields = ["object", "uuid", "item_id", "item_name", "points", "cash_minor", "currency", "status", "created_at"]

    def get_currency(self, _redemption) -> str:
        return "CNY"


class RefundRouteSerializer(serializers.Serializer):
    destination = serializers.CharField(help_text=gettext_lazy("The rail the money goes back to (sandbox, stripe, alipay, wechat), "
                                                  "or `cash` for top-ups paid at the counter."))  # fmt: skip
    label = serializers.CharField(help_text=gettext_lazy("Where the money goes, in the reader's language (e.g. Back to Alipay)."))
    amount_minor = serializers.IntegerField()


class StoredValueSerializer(serializers.Serializer):
    object = ObjectField("stored_value")
    paid_minor = serializers.IntegerField()
    gift_minor = serializers.IntegerField()
    total_minor = serializers.IntegerField()
    refundable_minor = serializers.IntegerField(help_text=gettext_lazy("The paid part less refunds waiting for their provider; "
                                                          "gift value is never refunded."))  # fmt: skip
    refund_to = RefundRouteSerializer(many=True, help_text=gettext_lazy("Where a refund of the whole refundable part would go: "
                                                           "the newest top-ups first, each back the way it was paid."))  # fmt: skip
    currency = serializers.CharField()


class StoredValueMovementSerializer(serializers.ModelSerializer):
    object = ObjectField("stored_value_movement")

    class Meta:
        model = StoredValueMovement
        fields = ["object", "kind", "paid_minor", "gift_minor", "occurred_at"]


class TopUpInputSerializer(InputSerializer):
    amount_minor = serializers.IntegerField(min_value=1, max_value=5_000_000)
    payment_method_id = OpaqueIdField(PAYMENT_METHOD)


class TopUpSerializer(serializers.ModelSerializer):
    object = ObjectField("top_up")
    status = serializers.ChoiceField(choices=TopUpStatus.choices)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = TopUp
        fields = ["object", "uuid", "amount_minor", "gift_minor", "currency", "status", "created_at"]

    def get_currency(self, _top_up) -> str:
        return "CNY"


class RefundLegSerializer(serializers.ModelSerializer):
    destination = serializers.SerializerMethodField(help_text=gettext_lazy("The rail the money goes back to, or `cash`."))
    label = serializers.CharField(source="destination", help_text=gettext_lazy("Where the money goes, in the reader's language."))
    status = serializers.ChoiceField(choices=RefundLegStatus.choices,
                                     help_text="`pending`: the provider has not confirmed it yet; the amount stays held "
                                               "and is asked again under the same key.")  # fmt: skip

    class Meta:
        model = StoredValueRefundLeg
        fields = ["destination", "label", "amount_minor", "status", "finished_at"]

    def get_destination(self, leg) -> str:
        return leg.rail or "cash"


class StoredValueRefundSerializer(serializers.ModelSerializer):
    object = ObjectField("stored_value_refund")
    customer_uuid = serializers.UUIDField(source="customer.uuid")
    status = serializers.SerializerMethodField(help_text=gettext_lazy("`refunded` once every part is, else `pending`."))
    legs = RefundLegSerializer(many=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = StoredValueRefund
        fields = ["object", "uuid", "customer_uuid", "amount_minor", "currency", "status", "legs", "created_at"]

    def get_status(self, refund) -> str:
        pending = any(leg.status == RefundLegStatus.PENDING for leg in refund.legs.all())
        return RefundLegStatus.PENDING if pending else RefundLegStatus.REFUNDED

    def get_currency(self, _refund) -> str:
        return "CNY"


class StoredValueRefundInputSerializer(InputSerializer):
    customer_uuid = serializers.UUIDField()
    amount_minor = serializers.IntegerField(min_value=1, max_value=5_000_000_000)


class StoredValueRefundQuerySerializer(InputSerializer):
    customer_uuid = serializers.UUIDField(required=False, help_text=gettext_lazy("Staff: one customer's refunds."))
