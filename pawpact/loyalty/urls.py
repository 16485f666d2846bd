"""Public pages of loyalty on a shop's domain; included at the root of the tenant URLs."""
from django.urls import path

from pawpact.loyalty import customer_views, views

urlpatterns = [
    path("survey/<str:token>/", views.survey_page, name="survey_page"),
    path("my/coupons/", customer_views.my_coupons, name="my_coupons"),
    path("my/coupons/use/", customer_views.my_coupon_use, name="my_coupon_use"),
]
