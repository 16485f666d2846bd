from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.opaque_ids import COUPON_TEMPLATE, SEGMENT, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.loyalty.coupon_models import CampaignKind, CampaignStatus, CouponKind, CouponUseKind
from pawpact.loyalty.coupon_templates import MAX_AMOUNT_MINOR, MAX_VALID_DAYS

COUPON_STATES = ["issued", "used", "void", "expired"]


class CouponTemplateSerializer(serializers.Serializer):
    object = serializers.CharField(default="coupon_template", help_text=_("Always `coupon_template`."))
    id = OpaqueIdField(COUPON_TEMPLATE, read_only=True)
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CouponKind.choices)
    amount_off_minor = serializers.IntegerField()
    percent_off = serializers.IntegerField()
    service_kind = serializers.CharField(help_text=_("Free service: the service it covers; empty for any."))
    min_spend_minor = serializers.IntegerField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True, help_text=_("Valid for N days after issue (else fixed dates)."))
    per_customer_limit = serializers.IntegerField()
    total_limit = serializers.IntegerField(allow_null=True)
    issued_count = serializers.IntegerField()
    enabled = serializers.BooleanField()
    currency = serializers.CharField(default="CNY")


class CouponTemplateInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=60)
    kind = serializers.ChoiceField(choices=CouponKind.choices)
    amount_off_minor = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_MINOR, required=False, default=0)
    percent_off = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0)
    service_kind = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    min_spend_minor = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_MINOR, required=False, default=0)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    valid_days = serializers.IntegerField(
        min_value=1, max_value=MAX_VALID_DAYS, required=False, allow_null=True, default=None
    )
    per_customer_limit = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1)
    total_limit = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True, default=None
    )
    enabled = serializers.BooleanField(required=False, default=True)


class CouponTemplatePatchSerializer(InputSerializer):
    min_properties = 1
    name = serializers.CharField(max_length=60, required=False)
    kind = serializers.ChoiceField(choices=CouponKind.choices, required=False)
    amount_off_minor = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_MINOR, required=False)
    percent_off = serializers.IntegerField(min_value=0, max_value=100, required=False)
    service_kind = serializers.CharField(max_length=20, required=False, allow_blank=True)
    min_spend_minor = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_MINOR, required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    valid_days = serializers.IntegerField(min_value=1, max_value=MAX_VALID_DAYS, required=False, allow_null=True)
    per_customer_limit = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    total_limit = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False, allow_null=True)
    enabled = serializers.BooleanField(required=False)


class CouponUseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CouponUseKind.choices)
    reference = serializers.CharField(help_text=_("The order's or contract's uuid; for a booking, the pet and time."))
    amount_minor = serializers.IntegerField()
    used_at = serializers.DateTimeField()


class CouponSerializer(serializers.Serializer):
    object = serializers.CharField(default="coupon", help_text=_("Always `coupon`."))
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=COUPON_STATES, source="state",
                                     help_text=_("`expired`: unused and past its last day."))  # fmt: skip
    template = CouponTemplateSerializer()
    customer_uuid = serializers.UUIDField(source="customer.uuid")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    issued_at = serializers.DateTimeField()
    use = CouponUseSerializer(allow_null=True, source="use_or_none")


class CouponQuerySerializer(InputSerializer):
    status = serializers.ChoiceField(choices=COUPON_STATES, required=False)
    customer_uuid = serializers.UUIDField(required=False, help_text=_("Staff: one customer's coupons."))


class CouponIssueInputSerializer(InputSerializer):
    customer_uuid = serializers.UUIDField()


class CouponApplyInputSerializer(InputSerializer):
    contract_uuid = serializers.UUIDField()


class SegmentSerializer(serializers.Serializer):
    object = serializers.CharField(default="segment", help_text=_("Always `segment`."))
    id = OpaqueIdField(SEGMENT, read_only=True)
    name = serializers.CharField()
    filters = serializers.DictField()
    member_count = serializers.IntegerField()


class SegmentInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=60)
    filters = serializers.DictField(help_text=_("activity (new, active, silent), standing (normal, overdue, "
                                                "terminated), r_min, f_min, m_min (1–5)."))  # fmt: skip


class CampaignSerializer(serializers.Serializer):
    object = serializers.CharField(default="campaign", help_text=_("Always `campaign`."))
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    segment_id = OpaqueIdField(SEGMENT, read_only=True)
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    template_id = OpaqueIdField(COUPON_TEMPLATE, read_only=True, allow_null=True)
    subject = serializers.CharField()
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    sent = serializers.IntegerField()
    suppressed = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class CampaignInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=60)
    segment_id = OpaqueIdField(SEGMENT, help_text=_("A saved segment's `id`."))
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    template_id = OpaqueIdField(
        COUPON_TEMPLATE, required=False, allow_null=True, default=None, help_text=_("A coupon template's `id`.")
    )
    subject = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    body = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
