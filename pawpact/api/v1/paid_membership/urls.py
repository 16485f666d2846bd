from django.urls import path

from pawpact.api.v1.paid_membership import views

urlpatterns = [
    path("membership-plans", views.PaidPlanListCreateApi.as_view(), name="api_membership_plans"),
    path("membership-plans/<int:pk>", views.PaidPlanDetailApi.as_view(), name="api_membership_plan"),
    path("membership", views.MembershipApi.as_view(), name="api_membership"),
    path("membership/cancel", views.MembershipCancelApi.as_view(), name="api_membership_cancel"),
]
