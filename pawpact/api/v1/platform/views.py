"""The platform API, on the public domain, for platform admins only (public-schema users
with is_staff): one shop's funding terms, advances, payouts and settlement statements;
every shop ranked by a KPI; risk overrides.

A shop's staff token means nothing here (tokens live in the shop's schema): 401; a
public user who is not platform staff (a shop owner): 403.
"""
from dataclasses import asdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.errors import UnknownPayout, UnknownShop
from pawpact.api.opaque_ids import PAYOUT, id_parameter
from pawpact.api.openapi import error_responses
from pawpact.api.permissions import IsPlatformAdmin
from pawpact.api.v1.platform import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.core.clock import default_clock
from pawpact.core.months import month_start
from pawpact.platform.enums import AdvanceStatus
from pawpact.platform.funding.selectors import advance_list, funding_shop_list, payout_get, payout_list
from pawpact.platform.funding.terms import funding_terms_get, funding_terms_set
from pawpact.platform.funding.views import statement_response
from pawpact.platform.kpis.definitions import DEFINITIONS
from pawpact.platform.kpis.selectors import benchmark_get, benchmark_latest_month, kpi_ranking
from pawpact.platform.risk.services import risk_override_lift, risk_override_set

FUNDING_ERRORS = error_responses(400, 401, 403, 404)
INSIGHTS_ERRORS = error_responses(400, 401, 403, 404, 409)


# --- Funding ---------------------------------------------------------------------------


def _shop(shop_id: int):
    shop = funding_shop_list().filter(pk=shop_id).first()
    if shop is None:
        raise UnknownShop(_("No such shop."))
    return shop


def _terms_body(shop_id: int) -> dict:
    return {"shop": shop_id, **asdict(funding_terms_get(shop_id=shop_id))}


class FundingTermsDetailUpdateApi(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(summary=gettext_lazy("A shop's funding terms (the defaults when it has none)"),
                   responses={200: s.FundingTermsSerializer, **FUNDING_ERRORS})  # fmt: skip
    def get(self, request, shop_id: int):
        shop = _shop(shop_id)
        return Response(s.FundingTermsSerializer(_terms_body(shop.pk)).data)

    @extend_schema(summary=gettext_lazy("Set a shop's funding terms (for advances created from now on)"),
                   request=s.FundingTermsInputSerializer, responses={200: s.FundingTermsSerializer, **FUNDING_ERRORS})  # fmt: skip
    def put(self, request, shop_id: int):
        shop = _shop(shop_id)
        data = s.FundingTermsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        funding_terms_set(shop=shop, actor=request.user, **data.validated_data)
        return Response(s.FundingTermsSerializer(_terms_body(shop.pk)).data)


class AdvanceListApi(ListAPIView):
    """The shop's advances, newest first; `?status=` filters."""

    permission_classes = [IsPlatformAdmin]
    serializer_class = s.AdvanceSerializer

    def get_queryset(self):
        shop = _shop(self.kwargs["shop_id"])
        status = self.request.query_params.get("status")
        return advance_list(shop_id=shop.pk, status=status if status in AdvanceStatus.values else None)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=AdvanceStatus.values)],
                   responses={200: s.AdvanceSerializer(many=True), **FUNDING_ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PayoutListApi(ListAPIView):
    """The shop's payouts, newest first, each with its statement's addresses."""

    permission_classes = [IsPlatformAdmin]
    serializer_class = s.PayoutSerializer

    def get_queryset(self):
        return payout_list(shop_id=_shop(self.kwargs["shop_id"]).pk)

    @extend_schema(responses={200: s.PayoutSerializer(many=True), **FUNDING_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(parameters=[id_parameter("payout_id", PAYOUT, "payout")])
class PayoutStatementDownloadApi(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(
        summary=gettext_lazy("A payout's settlement statement (CSV or PDF)"),
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=gettext_lazy("Statement rows")),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Statement"),
            **FUNDING_ERRORS,
        },
    )
    def get(self, request, shop_id: int, payout_id: str, fmt: str):
        payout = payout_get(payout_id=path_pk(PAYOUT, payout_id, request) or 0, shop_id=_shop(shop_id).pk)
        if payout is None:
            raise UnknownPayout(_("No such payout."))
        return statement_response(payout=payout, fmt=fmt)


# --- Insights and risk -------------------------------------------------------------------


class KpiRankingListApi(APIView):
    """Every shop with a value of the KPI for the month, best first, with the quartiles."""

    permission_classes = [IsPlatformAdmin]

    @extend_schema(parameters=[s.RankingQuerySerializer], responses={200: s.RankingSerializer, **INSIGHTS_ERRORS})
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


class RiskOverrideSetLiftApi(APIView):
    """POST pins a shop's risk state with a reason; DELETE lifts the pin (with a reason),
    returning the shop to its computed state. Every change is logged."""

    permission_classes = [IsPlatformAdmin]

    @extend_schema(request=s.RiskOverrideSerializer, responses={200: s.RiskChangeSerializer, **INSIGHTS_ERRORS})
    def post(self, request, shop_id: int):
        data = s.RiskOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = risk_override_set(shop_id=shop_id, actor=request.user, **data.validated_data)
        return Response(s.RiskChangeSerializer(change).data)

    @extend_schema(request=s.RiskLiftSerializer, responses={200: s.RiskChangeSerializer, **INSIGHTS_ERRORS})
    def delete(self, request, shop_id: int):
        data = s.RiskLiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = risk_override_lift(shop_id=shop_id, actor=request.user, **data.validated_data)
        return Response(s.RiskChangeSerializer(change).data)
