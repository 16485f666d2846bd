from decimal import Decimal

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import MonthField, ObjectField
from pawpact.api.opaque_ids import ADVANCE, PAYOUT, OpaqueIdField, opaque_id
from pawpact.api.serializers import InputSerializer
from pawpact.platform.enums import AdvanceStatus, PayoutStatus, RecourseRule
from pawpact.platform.funding.terms import DEFAULT_TERMS, MAX_SETTLEMENT_DELAY_DAYS, SMALLEST_PLAUSIBLE_CONTRACT_MINOR
from pawpact.platform.kpis.definitions import DEFINITIONS
from pawpact.tenants.enums import ShopRiskState


class FundingTermsSerializer(serializers.Serializer):
    object = ObjectField("funding_terms")
    shop = serializers.IntegerField()
    advance_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    fee_minor = serializers.IntegerField()
    recourse_rule = serializers.ChoiceField(choices=RecourseRule.choices)
    settlement_delay_days = serializers.IntegerField()
    is_default = serializers.BooleanField(help_text=_("True when the shop has no terms of its own yet."))


# The funding service's own messages, so a value out of range reads the same here as in the console.
RATE_RULE = _("The advance rate must be more than 0 and at most 1.")
FEE_RULE = _("The fee is a whole number of fen, 0 or more.")
DELAY_RULE = lazy(
    lambda: gettext("The settlement delay is 0 to %(max)d calendar days.") % {"max": MAX_SETTLEMENT_DELAY_DAYS}, str
)()


def _range(message) -> dict:
    return {"min_value": message, "max_value": message}


class FundingTermsInputSerializer(InputSerializer):
    """Each value within its bounds here (stated in the schema); whether the fee is below the
    advance at the rate given is the funding service's check (`invalid_funding_terms`)."""

    advance_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal("1"),
        error_messages=_range(RATE_RULE), help_text=_("In (0, 1]: the share of the contract value advanced."),
    )  # fmt: skip
    # An advance is never more than the smallest plausible contract, and the fee is below it.
    fee_minor = serializers.IntegerField(
        min_value=0, max_value=SMALLEST_PLAUSIBLE_CONTRACT_MINOR - 1, error_messages={"min_value": FEE_RULE},
        help_text=_("Flat fee per contract, in fen; below the smallest advance."),
    )  # fmt: skip
    recourse_rule = serializers.ChoiceField(choices=RecourseRule.choices)
    settlement_delay_days = serializers.IntegerField(
        required=False, default=DEFAULT_TERMS.settlement_delay_days, min_value=0, max_value=MAX_SETTLEMENT_DELAY_DAYS,
        error_messages=_range(DELAY_RULE), help_text=_("Calendar days after signing."),
    )  # fmt: skip


class AdvanceSerializer(serializers.Serializer):
    object = ObjectField("advance")
    id = OpaqueIdField(ADVANCE, read_only=True)
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
    payout = OpaqueIdField(PAYOUT, source="payout_id", read_only=True, allow_null=True)
    collected_minor = serializers.IntegerField()
    closed_reason = serializers.CharField()


class PayoutSerializer(serializers.Serializer):
    object = ObjectField("payout")
    id = OpaqueIdField(PAYOUT, read_only=True)
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
        return f"/api/v1/platform/shops/{payout.shop_id}/payouts/{opaque_id(PAYOUT, payout.pk)}/statement.{suffix}"

    def get_statement_csv(self, payout) -> str:
        return self._url(payout, "csv")

    def get_statement_pdf(self, payout) -> str:
        return self._url(payout, "pdf")



class RankingQuerySerializer(serializers.Serializer):
    kpi = serializers.ChoiceField(choices=list(DEFINITIONS))
    month = MonthField(required=False, help_text=_("YYYY-MM; default: the latest month with benchmarks."))


class BenchmarkSerializer(serializers.Serializer):
    shops = serializers.IntegerField()
    p25 = serializers.DecimalField(max_digits=20, decimal_places=6)
    p50 = serializers.DecimalField(max_digits=20, decimal_places=6)
    p75 = serializers.DecimalField(max_digits=20, decimal_places=6)


class RankedShopSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    risk_state = serializers.CharField()
    value = serializers.CharField()


class RankingSerializer(serializers.Serializer):
    object = ObjectField("ranking")
    kpi = serializers.CharField()
    month = MonthField()
    higher_is_better = serializers.BooleanField()
    benchmark = BenchmarkSerializer(allow_null=True)
    shops = RankedShopSerializer(many=True)


class RiskOverrideSerializer(InputSerializer):
    # Not required here: the service refuses a missing or blank reason itself, with its own code.
    state = serializers.CharField(required=False, allow_blank=True, default="",
                                  help_text=format_lazy(_("One of: {values}."), values=", ".join(ShopRiskState.values)))  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class RiskLiftSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class RiskChangeSerializer(serializers.Serializer):
    object = ObjectField("risk_change")
    shop_id = serializers.IntegerField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    overdue_rate = serializers.DecimalField(max_digits=7, decimal_places=6, allow_null=True)
    is_override = serializers.BooleanField()
    reason = serializers.CharField()
    actor = serializers.EmailField(source="actor.email", allow_null=True)
    at = serializers.DateTimeField()
