from django.utils.translation import gettext_lazy
from rest_framework import serializers

from pawpact.api.expand import expandable_object
from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import CALL_TASK, DEFERRAL_COUPON, PAYMENT_METHOD, OpaqueIdField
from pawpact.api.serializers import InputSerializer, PaymentMethodInputSerializer
from pawpact.billing.enums import CallTaskStatus
from pawpact.billing.models import CallTask, DebitAttempt, DebitPeriod, DeferralCoupon


class CallTaskSerializer(serializers.ModelSerializer):
    object = ObjectField("call_task")
    id = OpaqueIdField(CALL_TASK, read_only=True)
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_phone = serializers.CharField(source="customer.phone", read_only=True)
    contract_uuid = serializers.UUIDField(source="period.contract.uuid", read_only=True, allow_null=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True, allow_null=True)
    period_due_date = serializers.DateField(source="period.due_date", read_only=True, allow_null=True)
    amount_minor = serializers.IntegerField(source="period.amount_minor", read_only=True, allow_null=True)
    currency = serializers.CharField(source="period.currency", read_only=True, allow_null=True)
    assigned_to = serializers.EmailField(source="assigned_to.email", read_only=True, allow_null=True)

    class Meta:
        model = CallTask
        fields = [
            "object",
            "id", "kind", "status", "due_on", "customer_uuid", "customer_name", "customer_phone", "contract_uuid",
            "period_number", "period_due_date", "amount_minor", "currency", "outcome_note", "assigned_to",
            "created_at", "done_at",
        ]  # fmt: skip


class CallTaskQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*CallTaskStatus.values, "all"], default=CallTaskStatus.OPEN,
        help_text=gettext_lazy("Which tasks (default: open)."),
    )  # fmt: skip


class CallTaskOutcomeSerializer(InputSerializer):
    outcome_note = serializers.CharField(max_length=2000, help_text=gettext_lazy("What happened on the call or visit."))
    status = serializers.ChoiceField(
        choices=[CallTaskStatus.DONE, CallTaskStatus.CANCELLED], default=CallTaskStatus.DONE
    )


class PaymentMethodReplaceSerializer(PaymentMethodInputSerializer):
    pass


class AttemptSerializer(serializers.ModelSerializer):
    period_number = serializers.IntegerField(source="period.number", read_only=True)

    class Meta:
        model = DebitAttempt
        fields = ["period_number", "number", "status", "outcome", "decline_type", "amount_minor", "finished_at"]


# The debit calendar expands each period's attempts with it (pawpact.api.expand).
expandable_object("debit_attempt", AttemptSerializer)


class PaymentMethodReplacedSerializer(serializers.Serializer):
    object = ObjectField("payment_method_replaced")
    contract_uuid = serializers.UUIDField(source="contract.uuid")
    payment_method = serializers.CharField(source="contract.payment_method.shown_label")
    payment_method_id = OpaqueIdField(
        PAYMENT_METHOD, source="contract.payment_method_id",
        help_text=gettext_lazy("The saved payment method now charged (`/payment-methods/{id}`); `payment_method` is its display."),
    )  # fmt: skip
    attempts = AttemptSerializer(many=True, help_text=gettext_lazy("The late periods retried at once."))


class DeferralCouponSerializer(serializers.ModelSerializer):
    object = ObjectField("deferral_coupon")
    id = OpaqueIdField(DEFERRAL_COUPON, read_only=True)
    used_on_period = serializers.IntegerField(source="used_on.number", read_only=True, allow_null=True)

    class Meta:
        model = DeferralCoupon
        fields = ["object", "id", "reason", "issued_at", "used_on_period", "used_at"]


class DeferralCouponIssueSerializer(InputSerializer):
    reason = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)


class DeferralUseSerializer(InputSerializer):
    period_number = serializers.IntegerField(min_value=1, max_value=24)


class DeferredPeriodSerializer(serializers.ModelSerializer):
    object = ObjectField("deferred_period")

    class Meta:
        model = DebitPeriod
        fields = ["object", "number", "due_date", "original_due_date", "amount_minor", "currency", "status"]


class StandingSerializer(serializers.Serializer):
    object = ObjectField("standing")
    customer_uuid = serializers.UUIDField()
    standing = serializers.CharField()
    standing_since = serializers.DateTimeField(allow_null=True)
    shipment_held = serializers.BooleanField()
    loyalty_frozen = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
