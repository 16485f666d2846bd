from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pawpact.api.v1 import views

urlpatterns = [
    path("health", views.HealthApi.as_view(), name="api_health"),
    path("auth/token", views.TokenCreateApi.as_view(), name="api_token_create"),
    path("me", views.MeApi.as_view(), name="api_me"),
    path("staff", views.StaffListApi.as_view(), name="api_staff_list"),
    path("", include("pawpact.api.v1.billing.urls")),
    path("schema", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
