from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.billing.models import Contract, Plan, PlanVersion
from pawpact.payments.enums import Rail


class PlanVersionSerializer(serializers.ModelSerializer):
    total_minor = serializers.IntegerField(read_only=True)

    class Meta:
        model = PlanVersion
        fields = [
            "id", "version", "monthly_price_minor", "currency", "periods", "total_minor", "debit_day",
            "entitlements", "scope_of_use", "deposit_minor", "penalty_rate", "cooling_off_days",
            "health_guarantee_days", "fulfilment_rewards", "created_at",
        ]  # fmt: skip


class PlanSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "code", "name", "is_active", "current_version"]

    def get_current_version(self, plan: Plan) -> dict | None:
        version = max(plan.versions.all(), key=lambda v: v.version, default=None)
        return PlanVersionSerializer(version).data if version else None


class PlanVersionInputSerializer(serializers.Serializer):
    """The terms to change; every term left out is copied from the plan's current version."""

    monthly_price_minor = serializers.IntegerField(required=False)
    periods = serializers.IntegerField(required=False)
    debit_day = serializers.IntegerField(required=False)
    entitlements = serializers.ListField(child=serializers.DictField(), required=False)
    scope_of_use = serializers.CharField(required=False)
    deposit_minor = serializers.IntegerField(required=False)
    penalty_rate = serializers.DecimalField(max_digits=4, decimal_places=3, required=False)
    cooling_off_days = serializers.IntegerField(required=False)
    health_guarantee_days = serializers.IntegerField(required=False)
    fulfilment_rewards = serializers.ListField(child=serializers.DictField(), required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(_("Change at least one term."))
        return attrs


class ContractSerializer(serializers.ModelSerializer):
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    pet_uuid = serializers.UUIDField(source="pet.uuid", read_only=True)
    plan_code = serializers.CharField(source="plan_version.plan.code", read_only=True)
    plan_version = serializers.IntegerField(source="plan_version.version", read_only=True)
    payment_method = serializers.CharField(source="payment_method.label", read_only=True, allow_null=True)

    class Meta:
        model = Contract
        fields = [
            "uuid", "status", "customer_uuid", "pet_uuid", "plan_code", "plan_version", "currency",
            "monthly_amount_minor", "periods", "total_minor", "credit_score", "credit_source",
            "deposit_minor", "deposit_status", "agreement_sha256", "signed_at", "signed_by_name",
            "payment_method", "cooling_off_until", "activated_at", "created_at",
        ]  # fmt: skip


class ContractCreateSerializer(serializers.Serializer):
    customer_uuid = serializers.UUIDField(required=False, help_text=_("Staff only; customers apply for themselves."))
    pet_uuid = serializers.UUIDField()
    plan_version_id = serializers.IntegerField()


class CreditScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=350, max_value=950)
    evidence = serializers.CharField()


class AgreementSerializer(serializers.Serializer):
    text = serializers.CharField()
    sha256 = serializers.CharField(allow_blank=True)
    monthly_amount_minor = serializers.IntegerField()
    periods = serializers.IntegerField()
    total_minor = serializers.IntegerField()
    currency = serializers.CharField()


class SignSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=80)


class PaymentMethodInputSerializer(serializers.Serializer):
    rail = serializers.ChoiceField(choices=Rail.choices)
    token = serializers.CharField(max_length=255)
    label = serializers.CharField(max_length=80, required=False, default="")


class PeriodSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    amount_minor = serializers.IntegerField()
    currency = serializers.CharField()
    status = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
