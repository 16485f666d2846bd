from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.v1.insights.serializers import MonthField
from pawpact.platform.kpis.definitions import DEFINITIONS
from pawpact.tenants.enums import ShopRiskState


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
    kpi = serializers.CharField()
    month = MonthField()
    higher_is_better = serializers.BooleanField()
    benchmark = BenchmarkSerializer(allow_null=True)
    shops = RankedShopSerializer(many=True)


class RiskOverrideSerializer(serializers.Serializer):
    # Not required here: the service refuses a missing or blank reason itself, with its own code.
    state = serializers.CharField(required=False, allow_blank=True, default="",
                                  help_text=_("One of: %s.") % ", ".join(ShopRiskState.values))  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class RiskLiftSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class RiskChangeSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    overdue_rate = serializers.DecimalField(max_digits=7, decimal_places=6, allow_null=True)
    is_override = serializers.BooleanField()
    reason = serializers.CharField()
    actor = serializers.EmailField(source="actor.email", allow_null=True)
    at = serializers.DateTimeField()
