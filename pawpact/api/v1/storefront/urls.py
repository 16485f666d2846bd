from django.urls import path

from pawpact.api.v1.storefront import views

urlpatterns = [
    path("shop/products", views.ProductListApi.as_view(), name="api_shop_product_list"),
    path("shop/products/<int:pk>", views.ProductDetailApi.as_view(), name="api_shop_product_detail"),
]
