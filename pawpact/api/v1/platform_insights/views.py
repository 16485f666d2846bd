"""Platform admins only (public-schema users with is_staff), on the public domain.

A shop's staff token means nothing here (tokens live in the shop's schema): 401.
"""
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.v1.platform_insights import serializers as s
from pawpact.api.serializers import ErrorSerializer
from pawpact.core.clock import default_clock
from pawpact.platform.kpis.definitions import DEFINITIONS
from pawpact.platform.kpis.facts import month_start
from pawpact.platform.kpis.selectors import benchmark_get, benchmark_latest_month, kpi_ranking
from pawpact.platform.risk.services import risk_override_lift, risk_override_set

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409)}


class RankingApi(APIView):
    """Every shop with a value of the KPI for the month, best first, with the quartiles."""

    permission_classes = [IsAdminUser]

    @extend_schema(parameters=[s.RankingQuerySerializer], responses={200: s.RankingSerializer, **ERRORS})
    def get(self, request):
        query = s.RankingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kpi = query.validated_data["kpi"]
        month = query.validated_data.get("month") or benchmark_latest_month() or month_start(default_clock.today())
        body = {
            "kpi": kpi,
            "month": month,
            "higher_is_better": DEFINITIONS[kpi].higher_is_better,
            "benchmark": benchmark_get(kpi=kpi, month=month),
            "shops": [{**row.__dict__, "value": str(row.value)} for row in kpi_ranking(kpi=kpi, month=month)],
        }
        return Response(s.RankingSerializer(body).data)


class RiskOverrideApi(APIView):
    """POST pins a shop's risk state with a reason; DELETE lifts the pin (with a reason),
    returning the shop to its computed state. Every change is logged."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=s.RiskOverrideSerializer, responses={200: s.RiskChangeSerializer, **ERRORS})
    def post(self, request, shop_id: int):
        data = s.RiskOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = risk_override_set(shop_id=shop_id, actor=request.user, **data.validated_data)
        return Response(s.RiskChangeSerializer(change).data)

    @extend_schema(request=s.RiskLiftSerializer, responses={200: s.RiskChangeSerializer, **ERRORS})
    def delete(self, request, shop_id: int):
        data = s.RiskLiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = risk_override_lift(shop_id=shop_id, actor=request.user, **data.validated_data)
        return Response(s.RiskChangeSerializer(change).data)
