from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from pawpact.api.expand import ExpandableMixin, ExpandedField, expandable_object
from pawpact.api.fields import MetadataField, MetadataInputField, ObjectField, PenaltyRateField
from pawpact.api.opaque_ids import PAYMENT_METHOD, PLAN, PLAN_VERSION, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.billing.enums import ContractStatus, EntitlementKind
from pawpact.billing.models import Contract, CreditConsent, Plan, PlanVersion
from pawpact.billing.plan_texts import entitlement_text, kind_label
from pawpact.billing.selectors import activation_starts_on
from pawpact.core.bilingual import text_in_reader_language


class EntitlementSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=EntitlementKind.choices)
    item = serializers.CharField(max_length=80)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)
    unit = serializers.CharField(max_length=20, help_text=_("g, bag, visit…"))


class FulfilmentRewardSerializer(InputSerializer):
    consecutive_paid = serializers.IntegerField(
        min_value=1, max_value=24, help_text=_("Paid periods in a row that earn it; at most the plan's periods.")
    )
    kind = serializers.ChoiceField(choices=EntitlementKind.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


# The plan service's own messages, so a term out of range reads the same here as in the back office.
PRICE_RULE = _("The monthly price must be a positive whole number of fen.")
PERIODS_RULE = _("A plan runs for 12 to 24 periods.")
DEBIT_DAY_RULE = _("The debit day must be a day of the month from 1 to 28.")


def _range(message) -> dict:
    return {"min_value": message, "max_value": message}


# The answers' components keep the names they had (the input's are EntitlementRequest and
# FulfilmentRewardRequest), so generated clients keep their model names.
@extend_schema_serializer(component_name="Entitlement")
class PlanEntitlementSerializer(serializers.Serializer):
    """An entitlement as stored. Not the input serializer: the plan service takes any positive
    quantity (the seeded premium plan has 2,000 g of food), while the API's input caps it, and
    an answer described by the input's limits fails its own schema."""

    kind = serializers.ChoiceField(choices=EntitlementKind.choices)
    kind_label = serializers.SerializerMethodField(help_text=_("The kind's name in the request's language."))
    item = serializers.CharField(help_text=_("As the shop wrote it: in one language, or in both as “Chinese / English”."))
    quantity = serializers.IntegerField()
    unit = serializers.CharField()
    description = serializers.SerializerMethodField(
        help_text=_("The entitlement in the request's language, e.g. “Designated food 1,500 g / month”: the item in "
                    "that language when the shop wrote both, as written otherwise."),
    )  # fmt: skip

    def get_kind_label(self, entry: dict) -> str:
        return kind_label(entry["kind"])

    def get_description(self, entry: dict) -> str:
        return entitlement_text(entry)


@extend_schema_serializer(component_name="FulfilmentReward")
class PlanFulfilmentRewardSerializer(serializers.Serializer):
    consecutive_paid = serializers.IntegerField(help_text=_("Paid periods in a row that earn it."))
    kind = serializers.ChoiceField(choices=EntitlementKind.choices)
    kind_label = serializers.SerializerMethodField(help_text=_("The kind's name in the request's language."))
    quantity = serializers.IntegerField()

    def get_kind_label(self, entry: dict) -> str:
        return kind_label(entry["kind"])


class PlanVersionSerializer(serializers.ModelSerializer):
    object = ObjectField("plan_version")
    id = OpaqueIdField(PLAN_VERSION, source="pk", read_only=True)
    total_minor = serializers.IntegerField(read_only=True)
    entitlements = PlanEntitlementSerializer(many=True, read_only=True)
    fulfilment_rewards = PlanFulfilmentRewardSerializer(many=True, read_only=True)
    scope_of_use_display = serializers.SerializerMethodField(
        help_text=_("What the monthly amount may be used for, in the request's language: the shop's text in that "
                    "language when it wrote both (Chinese, then “ / ”, then English), as written otherwise."),
    )  # fmt: skip

    class Meta:
        model = PlanVersion
        fields = [
            "object",
            "id", "version", "monthly_price_minor", "currency", "periods", "total_minor", "debit_day",
            "entitlements", "scope_of_use", "scope_of_use_display", "deposit_minor", "penalty_rate", "cooling_off_days",
            "health_guarantee_days", "fulfilment_rewards", "created_at",
        ]  # fmt: skip

    def get_scope_of_use_display(self, version: PlanVersion) -> str:
        return text_in_reader_language(version.scope_of_use)


class PlanSerializer(serializers.ModelSerializer):
    object = serializers.CharField(default="plan", read_only=True, help_text=_("Always `plan`."))
    id = OpaqueIdField(PLAN, source="pk", read_only=True)
    code = serializers.CharField(
        read_only=True, help_text=_("The shop's own short name for the plan; `GET /plans?code=` finds it.")
    )
    name_en = serializers.CharField(read_only=True, help_text=_("The plan's English name; empty when the shop gave none."))
    display_name = serializers.CharField(
        read_only=True, help_text=_("The name in the request's language (Accept-Language): `name_en` for English "
                                    "when the shop gave one, `name` otherwise."),
    )  # fmt: skip
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["object", "id", "code", "name", "name_en", "display_name", "is_active", "current_version"]

    @extend_schema_field(
        PlanVersionSerializer(allow_null=True, help_text=_("The plan's newest version; null before it has one."))
    )
    def get_current_version(self, plan: Plan) -> dict | None:
        version = max(plan.versions.all(), key=lambda v: v.version, default=None)
        if version is None:
            return None
        # One nested serializer for the whole list: building one per plan (its fields deep-copied
        # each time) was most of a plan list's time.
        if not hasattr(self, "_version_serializer"):
            self._version_serializer = PlanVersionSerializer(context=self.context)
        return self._version_serializer.to_representation(version)


expandable_object("plan", PlanSerializer)


class PlanQuerySerializer(serializers.Serializer):
    code = serializers.SlugField(
        required=False, max_length=40, help_text=_("The plan with this `code` (a list of one, or empty).")
    )


class PlanVersionInputSerializer(InputSerializer):
    """The terms to change; every term left out is copied from the plan's current version."""

    min_properties = 1
    min_properties_message = _("Change at least one term.")

    monthly_price_minor = serializers.IntegerField(
        required=False, min_value=1, max_value=10**9, error_messages=_range(PRICE_RULE)
    )
    periods = serializers.IntegerField(required=False, min_value=12, max_value=24, error_messages=_range(PERIODS_RULE))
    debit_day = serializers.IntegerField(
        required=False, min_value=1, max_value=28, error_messages=_range(DEBIT_DAY_RULE)
    )
    entitlements = EntitlementSerializer(many=True, required=False, allow_empty=False)
    scope_of_use = serializers.CharField(required=False, max_length=200)
    deposit_minor = serializers.IntegerField(required=False, min_value=0, max_value=10**9)
    penalty_rate = PenaltyRateField(
        required=False, help_text=_("Share of the remaining amount charged on early termination: 0 to 0.10.")
    )
    cooling_off_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    health_guarantee_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    fulfilment_rewards = FulfilmentRewardSerializer(many=True, required=False)


class ContractSerializer(ExpandableMixin, serializers.ModelSerializer):
    expandable = {"customer": "customer", "pet": "pet", "plan": "plan"}

    object = serializers.CharField(default="contract", read_only=True, help_text=_("Always `contract`."))
    # Declared, so the schema keeps the enum alone (the model's default would wrap it in allOf).
    status = serializers.ChoiceField(choices=ContractStatus.choices)
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    pet_uuid = serializers.UUIDField(source="pet.uuid", read_only=True)
    plan_code = serializers.CharField(source="plan_version.plan.code", read_only=True)
    plan_version = serializers.IntegerField(source="plan_version.version", read_only=True)
    plan_version_id = OpaqueIdField(
        PLAN_VERSION, read_only=True,
        help_text=_("The plan version applied for, as `POST /contracts` takes it; `plan_version` is its number."),
    )  # fmt: skip
    payment_method = serializers.CharField(source="payment_method.shown_label", read_only=True, allow_null=True)
    payment_method_id = OpaqueIdField(
        PAYMENT_METHOD, read_only=True, allow_null=True,
        help_text=_("The saved payment method (`/payment-methods/{id}`); `payment_method` is its display."),
    )  # fmt: skip
    activation_queued_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text=_("Set while a signed contract waits for WeChat Pay's pre-debit notice period; it then starts by itself."),
    )  # fmt: skip
    activation_starts_on = serializers.SerializerMethodField(
        help_text=_("The day a waiting contract starts (Beijing date), with its first debit; null otherwise."),
    )  # fmt: skip

    metadata = MetadataField()
    customer = ExpandedField("customer", help_text=_("With `expand[]=customer` only."))
    pet = ExpandedField("pet", help_text=_("With `expand[]=pet` only."))
    plan = ExpandedField("plan", source="plan_version.plan", help_text=_("With `expand[]=plan` only."))

    class Meta:
        model = Contract
        fields = [
            "object",
            "uuid", "status", "customer_uuid", "pet_uuid", "plan_code", "plan_version", "plan_version_id", "currency",
            "monthly_amount_minor", "periods", "total_minor", "credit_score", "credit_source",
            "deposit_minor", "deposit_status", "agreement_sha256", "signed_at", "signed_by_name",
            "payment_method", "payment_method_id", "cooling_off_until", "activation_queued_at", "activation_starts_on",
            "activated_at", "metadata", "created_at",
            "customer", "pet", "plan",
        ]  # fmt: skip


    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_activation_starts_on(self, contract: Contract):
        return activation_starts_on(contract)


class ContractCreateSerializer(InputSerializer):
    customer_uuid = serializers.UUIDField(
        required=False,
        help_text=_("Required from staff (422 `customer_required` without it); customers apply for themselves "
                    "and leave it out."),
    )  # fmt: skip
    pet_uuid = serializers.UUIDField()
    plan_version_id = OpaqueIdField(PLAN_VERSION, help_text=_("A version's `id`: a plan's `current_version.id`."))
    metadata = MetadataInputField(required=False)


class ContractUpdateSerializer(InputSerializer):
    """Only the metadata changes here: a contract's terms are fixed by its plan version and signature."""

    metadata = MetadataInputField()


class CreditScoreSerializer(InputSerializer):
    score = serializers.IntegerField(min_value=350, max_value=950)
    evidence = serializers.CharField()


class AgreementSerializer(serializers.Serializer):
    object = ObjectField("agreement")
    text = serializers.CharField()
    sha256 = serializers.CharField(allow_blank=True)
    monthly_amount_minor = serializers.IntegerField()
    periods = serializers.IntegerField()
    total_minor = serializers.IntegerField()
    currency = serializers.CharField()


class SignSerializer(InputSerializer):
    signer_name = serializers.CharField(max_length=80)


class PeriodSerializer(ExpandableMixin, serializers.Serializer):
    expandable = {"attempts": "attempts"}
    object = ObjectField("period")
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    amount_minor = serializers.IntegerField()
    currency = serializers.CharField()
    status = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    attempts = ExpandedField(
        "debit_attempt", many=True,
        help_text=_("With `expand[]=attempts` only: every try at collecting the period, first one first."),
    )  # fmt: skip


class ContractQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ContractStatus.choices, required=False)
    customer_uuid = serializers.UUIDField(required=False, help_text=_("Staff only: one customer's contracts."))
    pet_uuid = serializers.UUIDField(required=False)
    search = serializers.CharField(
        required=False, min_length=1, max_length=80,
        help_text=_("Part of the customer's name or phone number, or of the pet's name."),
    )  # fmt: skip
    created_from = serializers.DateField(required=False, help_text=_("Applied for on or after this day (shop time)."))
    created_to = serializers.DateField(required=False, help_text=_("Applied for on or before this day (shop time)."))

    def validate(self, attrs: dict) -> dict:
        if "created_from" in attrs and "created_to" in attrs and attrs["created_from"] > attrs["created_to"]:
            raise serializers.ValidationError({"created_to": [_("Must be on or after created_from.")]})
        return attrs


class CreditConsentSerializer(serializers.ModelSerializer):
    """The applicant's consent to the credit check, as they saw it."""

    object = ObjectField("credit_consent")

    class Meta:
        model = CreditConsent
        fields = ["object", "channel", "text", "text_sha256", "given_at"]


class AgreementSigningInputSerializer(serializers.Serializer):
    rail = serializers.ChoiceField(
        choices=[("alipay", "alipay"), ("wechat", "wechat")],
        help_text=_("`alipay` (周期扣款) or `wechat` (委托代扣); the shop must have verified credentials for it."),
    )
    return_url = serializers.URLField(
        required=False, default="", max_length=500,
        help_text=_("Alipay only: where the customer's browser returns after signing."),
    )  # fmt: skip


class WechatMiniProgramSerializer(serializers.Serializer):
    app_id = serializers.CharField(help_text=_("WeChat's signing mini-program, for `wx.navigateToMiniProgram`."))
    path = serializers.CharField()
    extra_data = serializers.DictField(child=serializers.CharField(), help_text=_("`{pre_entrustweb_id}`."))


class AgreementSigningSerializer(serializers.Serializer):
    object = serializers.CharField(default="agreement_signing", read_only=True)
    rail = serializers.CharField()
    url = serializers.URLField(help_text=_("The provider's signing page: open it (H5) or show it as a QR code."))
    agreement_code = serializers.CharField(help_text=_("Our agreement number at the provider (the contract's)."))
    pre_entrustweb_id = serializers.CharField(allow_blank=True, help_text=_("WeChat only; empty for Alipay."))
    mini_program = WechatMiniProgramSerializer(allow_null=True, help_text=_("WeChat only; null for Alipay."))
