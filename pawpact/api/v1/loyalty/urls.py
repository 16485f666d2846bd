from django.urls import path

from pawpact.api.v1.loyalty import views

urlpatterns = [
    path("segments/<str:name>", views.CustomerSegmentListApi.as_view(), name="api_segment_list"),
    path("winback/redeem", views.WinBackRedeemApi.as_view(), name="api_winback_redeem"),
]
