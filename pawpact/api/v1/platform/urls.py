"""Mounted under /api/v1/platform/ on the public domain (pawpact.config.urls_public)."""
from django.conf import settings
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _

from pawpact.api.permissions import IsPlatformAdmin
from pawpact.api.v1.platform import views
from pawpact.api.views import SchemaJsonApi

PLATFORM_SCHEMA = {
    "TITLE": _("Pawpact platform API"),
    "DESCRIPTION": _(
        "For platform admins, on the public site: shops' funding terms, advances, payouts and "
        "settlement statements, the KPI ranking, risk overrides. Authenticate with `Authorization: Token <key>` "
        "of a platform admin; errors have the shop API's shape `{code, message, fields}`."
    ),
}

urlpatterns = [
    path(
        "schema.json",
        SchemaJsonApi.as_view(
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,  # its API views are the platform API
            permission_classes=[IsPlatformAdmin],
            custom_settings=PLATFORM_SCHEMA,
        ),
        name="api_platform_schema",
    ),
    path("insights/ranking", views.KpiRankingListApi.as_view(), name="api_platform_ranking"),
    path("shops/<int:shop_id>/risk-override", views.RiskOverrideSetLiftApi.as_view(), name="api_platform_risk_override"),
    path(
        "shops/<int:shop_id>/funding-terms",
        views.FundingTermsDetailUpdateApi.as_view(),
        name="api_platform_funding_terms",
    ),
    path("shops/<int:shop_id>/advances", views.AdvanceListApi.as_view(), name="api_platform_advances"),
    path("shops/<int:shop_id>/payouts", views.PayoutListApi.as_view(), name="api_platform_payouts"),
    re_path(
        r"^shops/(?P<shop_id>\d+)/payouts/(?P<payout_id>[0-9A-Za-z_]+)/statement\.(?P<fmt>csv|pdf)$",
        views.PayoutStatementDownloadApi.as_view(),
        name="api_platform_payout_statement",
    ),
]
