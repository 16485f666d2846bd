"""Mounted under /api/v1/platform/ on the public domain (pawpact.config.urls_public, INSIGHTS)."""
from django.urls import path

from pawpact.api.v1.platform_insights import views

urlpatterns = [
    path("insights/ranking", views.RankingApi.as_view(), name="api_platform_ranking"),
    path("shops/<int:shop_id>/risk-override", views.RiskOverrideApi.as_view(), name="api_platform_risk_override"),
]
