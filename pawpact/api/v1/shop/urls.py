from django.urls import path

from pawpact.api.v1.shop import views

urlpatterns = [
    path("shop", views.ShopProfileApi.as_view(), name="api_shop_profile"),
]
