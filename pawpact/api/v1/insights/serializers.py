from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import MonthField, ObjectField
from pawpact.platform.kpis.selectors import DEFAULT_MONTHS, MAX_MONTHS


class KpisQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=MAX_MONTHS, default=DEFAULT_MONTHS)
    until = MonthField(required=False, help_text=_("The last month (YYYY-MM); default: the latest with facts."))


class BenchmarksQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text=_("YYYY-MM; default: the latest month with facts."))


class ShopSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class FactsSerializer(serializers.Serializer):
    signings = serializers.IntegerField()
    plan_revenue_minor = serializers.IntegerField()
    total_revenue_minor = serializers.IntegerField()
    debits_attempted = serializers.IntegerField()
    debits_succeeded = serializers.IntegerField()
    active_contracts = serializers.IntegerField()
    overdue_contracts = serializers.IntegerField()
    receivable_minor = serializers.IntegerField()
    bad_debt_minor = serializers.IntegerField()
    complaints = serializers.IntegerField()
    complaints_resolved = serializers.IntegerField()
    customers = serializers.IntegerField()
    renewals_due = serializers.IntegerField()
    renewals = serializers.IntegerField()
    plan_customer_ltv_minor = serializers.IntegerField()
    ordinary_customer_ltv_minor = serializers.IntegerField()


class MonthKpisSerializer(serializers.Serializer):
    month = MonthField()
    currency = serializers.CharField()
    kpis = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text=_("Every KPI: rates and ratios as decimal strings, counts and fen as integers, null without data."),
    )
    facts = FactsSerializer(source="*")
    computed_at = serializers.DateTimeField()


class KpisSerializer(serializers.Serializer):
    object = ObjectField("kpis")
    shop = ShopSerializer()
    months = MonthKpisSerializer(many=True)


class KpiRowSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text=_("This shop's value."))
    p25 = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    p50 = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    p75 = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    shops = serializers.IntegerField(allow_null=True, help_text=_("How many shops the quartiles are over."))
    target = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    higher_is_better = serializers.BooleanField()
    target_met = serializers.BooleanField(allow_null=True)
    quartile = serializers.IntegerField(allow_null=True, help_text=_("1 (bottom quarter) … 4 (top quarter)."))


class BenchmarksSerializer(serializers.Serializer):
    object = ObjectField("benchmarks")
    month = MonthField(allow_null=True)
    min_shops = serializers.IntegerField()
    kpis = KpiRowSerializer(many=True)
