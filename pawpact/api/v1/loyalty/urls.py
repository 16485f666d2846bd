from django.urls import path

from pawpact.api.v1.loyalty import members, views

urlpatterns = [
    path("segments/<str:name>", views.CustomerSegmentListApi.as_view(), name="api_segment_list"),
    path("winback/redeem", views.WinBackRedeemApi.as_view(), name="api_winback_redeem"),
    path("membership", members.MyMembershipApi.as_view(), name="api_my_membership"),
    path("membership/points", members.MyPointsApi.as_view(), name="api_my_points"),
    path("members", members.MemberListApi.as_view(), name="api_member_list"),
    path("members/<uuid:customer_uuid>", members.MemberDetailApi.as_view(), name="api_member_detail"),
]
