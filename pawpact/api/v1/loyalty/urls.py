from django.urls import path

from pawpact.api.v1.loyalty import views

urlpatterns = [
    path("segments/<str:name>", views.CustomerSegmentListApi.as_view(), name="api_segment_list"),
    path("winback/redeem", views.WinBackRedeemApi.as_view(), name="api_winback_redeem"),
    path("membership", views.MyMembershipApi.as_view(), name="api_my_membership"),
    path("membership/points", views.MyPointsApi.as_view(), name="api_my_points"),
    path("members", views.MemberListApi.as_view(), name="api_member_list"),
    path("members/<uuid:customer_uuid>", views.MemberDetailApi.as_view(), name="api_member_detail"),
]
