"""Mounted under /api/v1/platform/ on the public domain (pawpact.config.urls_public, FUNDING)."""
from django.urls import path, re_path

from pawpact.api.v1.platform import views

urlpatterns = [
    path("shops/<int:shop_id>/funding-terms", views.FundingTermsApi.as_view(), name="api_platform_funding_terms"),
    path("shops/<int:shop_id>/advances", views.AdvanceListApi.as_view(), name="api_platform_advances"),
    path("shops/<int:shop_id>/payouts", views.PayoutListApi.as_view(), name="api_platform_payouts"),
    re_path(
        r"^shops/(?P<shop_id>\d+)/payouts/(?P<payout_id>\d+)/statement\.(?P<fmt>csv|pdf)$",
        views.PayoutStatementApi.as_view(),
        name="api_platform_payout_statement",
    ),
]
