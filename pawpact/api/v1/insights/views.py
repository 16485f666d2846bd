"""GET /api/v1/insights/kpis and /api/v1/insights/benchmarks: the host's shop only.

There is no way to ask for another shop: the shop is request.tenant, and a query
parameter naming a shop is refused (400) rather than silently obeyed or ignored.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.errors import ShopFromHostOnly
from pawpact.api.openapi import error_responses
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.strict_query import SHOP_PARAMETERS
from pawpact.api.v1.insights import serializers as s
from pawpact.core.clock import default_clock
from pawpact.core.months import month_start
from pawpact.platform.kpis.benchmarks import MIN_SHOPS
from pawpact.platform.kpis.selectors import shop_benchmark_rows, shop_kpi_months, shop_latest_month

INSIGHTS_ERRORS = error_responses(400, 401, 403)



def _refuse_shop_parameters(request) -> None:
    named = [name for name in sorted(SHOP_PARAMETERS) if name in request.query_params]
    if named:
        raise ShopFromHostOnly(
            _("The shop is the host you call; a shop cannot be chosen with a parameter."),
            fields={name: [_("Not accepted.")] for name in named},
        )


def _query(serializer_class, request) -> dict:
    _refuse_shop_parameters(request)
    return query_valid(serializer_class, request)


class KpiListApi(APIView):
    """This shop's KPIs and the facts behind them, month by month (oldest first)."""

    permission_classes = [IsShopStaff]

    @extend_schema(
        parameters=[s.KpisQuerySerializer],
        responses={200: s.KpisSerializer, **INSIGHTS_ERRORS},
        summary=gettext_lazy("This shop's monthly KPIs (staff only)"),
    )
    def get(self, request):
        query = _query(s.KpisQuerySerializer, request)
        shop = request.tenant
        until = query.get("until") or shop_latest_month(shop_id=shop.pk) or month_start(default_clock.today())
        rows = shop_kpi_months(shop_id=shop.pk, until=until, months=query["months"])
        body = {
            "shop": shop,
            "months": [
                {**{name: getattr(row, name) for name in s.FactsSerializer().fields},
                 "month": row.month, "currency": row.currency, "kpis": row.values, "computed_at": row.computed_at}
                for row in rows
            ],
        }  # fmt: skip
        return Response(s.KpisSerializer(body).data)


class BenchmarkListApi(APIView):
    """This shop's value of every KPI beside the quartiles across all shops (anonymous)."""

    permission_classes = [IsShopStaff]

    @extend_schema(
        parameters=[s.BenchmarksQuerySerializer],
        responses={200: s.BenchmarksSerializer, **INSIGHTS_ERRORS},
        summary=gettext_lazy("This shop's standing among peers (staff only)"),
    )
    def get(self, request):
        query = _query(s.BenchmarksQuerySerializer, request)
        shop = request.tenant
        month = query.get("month") or shop_latest_month(shop_id=shop.pk)
        rows = shop_benchmark_rows(shop_id=shop.pk, month=month) if month else []
        body = {
            "month": month,
            "min_shops": MIN_SHOPS,
            "kpis": [
                {**row.__dict__, "value": None if row.value is None else str(row.value), "quartile": row.quartile}
                for row in rows
            ],
        }
        return Response(s.BenchmarksSerializer(body).data)

