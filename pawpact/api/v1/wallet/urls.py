from django.urls import path

from pawpact.api.v1.wallet import views

urlpatterns = [
    path("referral", views.ReferralApi.as_view(), name="api_referral"),
    path("referral/claim", views.ReferralClaimApi.as_view(), name="api_referral_claim"),
    path("mall/items", views.MallItemListApi.as_view(), name="api_mall_items"),
    path("mall/redemptions", views.RedemptionListCreateApi.as_view(), name="api_mall_redemptions"),
    path("stored-value", views.StoredValueApi.as_view(), name="api_stored_value"),
    path("stored-value/movements", views.MovementListApi.as_view(), name="api_stored_value_movements"),
    path("stored-value/top-ups", views.TopUpCreateApi.as_view(), name="api_stored_value_top_ups"),
    path("stored-value/refunds", views.StoredValueRefundListCreateApi.as_view(), name="api_stored_value_refunds"),
    path("stored-value/refunds/<uuid:uuid>/retry", views.StoredValueRefundRetryApi.as_view(),
         name="api_stored_value_refund_retry"),
]
