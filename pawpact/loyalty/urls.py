"""Public pages of loyalty on a shop's domain; included at the root of the tenant URLs."""
from django.urls import path

from pawpact.loyalty import customer_views, join_pages, paid_pages, refund_request_pages, views, wallet_pages

urlpatterns = [
    path("survey/<str:token>/", views.survey_page, name="survey_page"),
    path("join/signup/", join_pages.join_signup, name="customer_signup"),  # before the code: "signup" is no code
    path("join/<str:code>/", wallet_pages.referral_join, name="referral_join"),
    path("my/referral/", wallet_pages.my_referral, name="my_referral"),
    path("my/mall/", wallet_pages.my_mall, name="my_mall"),
    path("my/stored-value/", wallet_pages.my_stored_value, name="my_stored_value"),
    path("my/stored-value/refund/", refund_request_pages.my_stored_value_refund, name="my_stored_value_refund"),
    path("my/coupons/", customer_views.my_coupons, name="my_coupons"),
    path("my/coupons/use/", customer_views.my_coupon_use, name="my_coupon_use"),
    path("my/membership/", views.my_membership, name="my_membership"),
    path("my/club/", paid_pages.my_paid_membership, name="my_paid_membership"),
    path("my/club/cancel/", paid_pages.my_paid_membership_cancel, name="my_paid_membership_cancel"),
    path("my/club/method/", paid_pages.my_paid_membership_method, name="my_paid_membership_method"),
]
