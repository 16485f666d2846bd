from django.urls import path

from pawpact.api.v1.coupons import views

urlpatterns = [
    path("coupons", views.CouponListApi.as_view(), name="api_coupon_list"),
    path("coupons/<str:code>", views.CouponDetailApi.as_view(), name="api_coupon_detail"),
    path("coupons/<str:code>/apply", views.CouponApplyApi.as_view(), name="api_coupon_apply"),
    path("coupon-templates", views.CouponTemplateListCreateApi.as_view(), name="api_coupon_template_list"),
    path("coupon-templates/<str:template_id>", views.CouponTemplateDetailApi.as_view(), name="api_coupon_template_detail"),
    path("coupon-templates/<str:template_id>/issue", views.CouponIssueApi.as_view(), name="api_coupon_issue"),
    path("saved-segments", views.SegmentListCreateApi.as_view(), name="api_saved_segment_list"),
    path("campaigns", views.CampaignListCreateApi.as_view(), name="api_campaign_list"),
    path("campaigns/<uuid:uuid>", views.CampaignDetailApi.as_view(), name="api_campaign_detail"),
]
