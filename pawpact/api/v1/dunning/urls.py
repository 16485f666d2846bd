from django.urls import path

from pawpact.api.v1.dunning import views

urlpatterns = [
    path("call-tasks", views.CallTaskListApi.as_view(), name="api_call_task_list"),
    path("call-tasks/<str:task_id>/outcome", views.CallTaskCloseApi.as_view(), name="api_call_task_outcome"),
    path(
        "contracts/<uuid:uuid>/payment-method/replace",
        views.ContractPaymentMethodReplaceApi.as_view(),
        name="api_contract_payment_method_replace",
    ),
    path(
        "contracts/<uuid:uuid>/deferral-coupons",
        views.DeferralCouponListIssueApi.as_view(),
        name="api_contract_deferral_coupons",
    ),
    path("contracts/<uuid:uuid>/deferrals", views.ContractDeferralUseApi.as_view(), name="api_contract_deferral_use"),
    path("customers/<uuid:uuid>/standing", views.CustomerStandingDetailApi.as_view(), name="api_customer_standing"),
]
