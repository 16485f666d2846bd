from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pawpact.api import views

urlpatterns = [
    path("health", views.HealthCheckApi.as_view(), name="api_health"),
    # token, me, staff
    path("", include("pawpact.api.v1.accounts.urls")),
    path("", include("pawpact.api.v1.billing.urls")),
    # the shop's KPIs and benchmarks
    path("insights/", include("pawpact.api.v1.insights.urls")),
    # contract exits (quote, execute, pet loss, cooling-off)
    path("", include("pawpact.api.v1.lifecycle_termination")),
    # messages, segments, renewal offers, win-back codes
    path("", include("pawpact.api.v1.lifecycle_messages")),
    # call queue, payment method replacement, deferrals, standing and holds
    path("", include("pawpact.api.v1.lifecycle_dunning")),
    path("schema", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    # Last: anything else under /api/v1/ (a malformed uuid, a typo) answers a JSON 404.
    re_path(r"^.*$", views.NotFoundApi.as_view(), name="api_not_found"),
]
