"""Mounted under /api/v1/platform/ on the public domain (pawpact.config.urls_public)."""
from django.urls import path, re_path

from pawpact.api.v1.platform import views

urlpatterns = [
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
        r"^shops/(?P<shop_id>\d+)/payouts/(?P<payout_id>\d+)/statement\.(?P<fmt>csv|pdf)$",
        views.PayoutStatementDownloadApi.as_view(),
        name="api_platform_payout_statement",
    ),
]
