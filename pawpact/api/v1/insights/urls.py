from django.urls import path

from pawpact.api.v1.insights import views

urlpatterns = [
    path("kpis", views.KpiListApi.as_view(), name="api_insights_kpis"),
    path("benchmarks", views.BenchmarkListApi.as_view(), name="api_insights_benchmarks"),
]
