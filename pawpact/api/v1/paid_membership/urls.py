from django.urls import path

from pawpact.api.v1.paid_membership import views

urlpatterns = [
    path("paid-membership/plans", views.PaidPlanListCreateApi.as_view(), name="api_paid_membership_plans"),
    path("paid-membership/plans/<str:plan_id>", views.PaidPlanDetailApi.as_view(), name="api_paid_membership_plan"),
    path("paid-membership", views.MembershipApi.as_view(), name="api_paid_membership"),
    path("paid-membership/cancel", views.MembershipCancelApi.as_view(), name="api_paid_membership_cancel"),
    path("paid-membership/<str:uuid>/payment-method", views.MembershipMethodApi.as_view(),
         name="api_paid_membership_method"),
]
