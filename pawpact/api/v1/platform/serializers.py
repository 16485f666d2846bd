from rest_framework import serializers

from pawpact.platform.enums import AdvanceStatus, PayoutStatus, RecourseRule
from pawpact.platform.funding.terms import DEFAULT_TERMS


class FundingTermsSerializer(serializers.Serializer):
    shop = serializers.IntegerField()
    advance_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    fee_minor = serializers.IntegerField()
    recourse_rule = serializers.ChoiceField(choices=RecourseRule.choices)
    settlement_delay_days = serializers.IntegerField()
    is_default = serializers.BooleanField(help_text="True when the shop has no terms of its own yet.")


class FundingTermsInputSerializer(serializers.Serializer):
    advance_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="In (0, 1]: the share of the contract value advanced."
    )
    fee_minor = serializers.IntegerField(help_text="Flat fee per contract, in fen; below the smallest advance.")
    recourse_rule = serializers.ChoiceField(choices=RecourseRule.choices)
    settlement_delay_days = serializers.IntegerField(
        required=False, default=DEFAULT_TERMS.settlement_delay_days, help_text="Calendar days after signing."
    )


class AdvanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract_uuid = serializers.UUIDField()
    currency = serializers.CharField()
    contract_value_minor = serializers.IntegerField()
    monthly_amount_minor = serializers.IntegerField()
    periods = serializers.IntegerField()
    advance_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    fee_minor = serializers.IntegerField()
    amount_minor = serializers.IntegerField()
    signed_at = serializers.DateTimeField()
    payable_on = serializers.DateField()
    status = serializers.ChoiceField(choices=AdvanceStatus.choices)
    payout = serializers.IntegerField(source="payout_id", allow_null=True)
    collected_minor = serializers.IntegerField()
    closed_reason = serializers.CharField()


class PayoutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    settlement_date = serializers.DateField()
    currency = serializers.CharField()
    advances_minor = serializers.IntegerField()
    clawbacks_minor = serializers.IntegerField()
    amount_minor = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    rail = serializers.CharField()
    rail_reference = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    statement_csv = serializers.SerializerMethodField()
    statement_pdf = serializers.SerializerMethodField()

    def _url(self, payout, suffix: str) -> str:
        return f"/api/v1/platform/shops/{payout.shop_id}/payouts/{payout.pk}/statement.{suffix}"

    def get_statement_csv(self, payout) -> str:
        return self._url(payout, "csv")

    def get_statement_pdf(self, payout) -> str:
        return self._url(payout, "pdf")
