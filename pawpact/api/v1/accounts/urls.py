from django.urls import path

from pawpact.api.v1.accounts import views

urlpatterns = [
    path("auth/token", views.TokenCreateApi.as_view(), name="api_token_create"),
    path("me", views.MeDetailApi.as_view(), name="api_me"),
    path("staff", views.StaffListApi.as_view(), name="api_staff_list"),
]
