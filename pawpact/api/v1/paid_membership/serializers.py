from django.utils.translation import gettext_lazy
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import PAID_PLAN, PAYMENT_METHOD, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.loyalty.paid_membership import MAX_PRICE_MINOR
from pawpact.loyalty.paid_models import PaidMembership, PaidPlan


class PaidPlanSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    id = OpaqueIdField(PAID_PLAN, read_only=True)
    price_minor = serializers.IntegerField()
    currency = serializers.SerializerMethodField()
    months = serializers.IntegerField(help_text=gettext_lazy("The billing period: 1, 3 or 12 months."))
    points_multiplier = serializers.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        model = PaidPlan
        fields = ["object", "id", "name", "price_minor", "currency", "months", "goods_discount_percent",
                  "points_multiplier", "free_services_per_month", "member_day_extra_percent", "trial_days", "refund_days", "active"]  # fmt: skip

    def get_object(self, _plan) -> str:
        return "membership_plan"

    def get_currency(self, _plan) -> str:
        return "CNY"


class PaidPlanInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=40)
    price_minor = serializers.IntegerField(min_value=1, max_value=MAX_PRICE_MINOR)
    months = serializers.IntegerField(min_value=1, max_value=12, help_text=gettext_lazy("The billing period: 1, 3 or 12 months."))
    goods_discount_percent = serializers.IntegerField(min_value=0, max_value=90, default=0)
    points_multiplier = serializers.DecimalField(max_digits=4, decimal_places=2, default=1)
    free_services_per_month = serializers.IntegerField(min_value=0, max_value=31, default=0)
    member_day_extra_percent = serializers.IntegerField(min_value=0, max_value=90, default=0)
    trial_days = serializers.IntegerField(min_value=0, max_value=31, default=0)
    refund_days = serializers.IntegerField(
        min_value=0, max_value=31, default=0,
        help_text=gettext_lazy("Cancelled within this many days of a paid period's start: that period is refunded and the membership "
                  "ends at once. 0: no refunds (it stays to the period's end)."),
    )  # fmt: skip
    active = serializers.BooleanField(default=True)


class PaidPlanPatchSerializer(PaidPlanInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class PaidMembershipSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    plan = PaidPlanSerializer()
    is_live = serializers.BooleanField(
        help_text=gettext_lazy("The member enjoys the benefits (trial, active, or a renewal being retried).")
    )
    payment_method_id = OpaqueIdField(
        PAYMENT_METHOD, read_only=True, help_text="The saved payment method the next renewal is charged to."
    )

    class Meta:
        model = PaidMembership
        fields = ["object", "uuid", "plan", "status", "is_live", "is_trial", "period_start", "period_end",
                  "cancel_at_period_end", "cancelled_at", "failed_renewals", "next_attempt_at", "payment_method_id",
                  "created_at"]  # fmt: skip

    def get_object(self, _membership) -> str:
        return "membership"


class MembershipStatusSerializer(serializers.Serializer):
    object = ObjectField("membership_status")
    membership = PaidMembershipSerializer(allow_null=True, help_text=gettext_lazy("The membership in force, or null."))
    trial_available = serializers.BooleanField(help_text=gettext_lazy("A plan's free trial is still open to this customer."))


class MethodInputSerializer(InputSerializer):
    payment_method_id = OpaqueIdField(PAYMENT_METHOD, help_text="One of the customer's own saved payment methods.")


class JoinInputSerializer(InputSerializer):
    plan_id = OpaqueIdField(PAID_PLAN, help_text="A membership plan's `id`.")
    payment_method_id = OpaqueIdField(PAYMENT_METHOD)
