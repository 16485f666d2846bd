from django.urls import path

from pawpact.api.v1.storefront import views

urlpatterns = [
    path("shop/products", views.ProductListApi.as_view(), name="api_shop_product_list"),
    path("shop/products/<str:product_id>", views.ProductDetailApi.as_view(), name="api_shop_product_detail"),
    path("shop/address", views.AddressApi.as_view(), name="api_shop_address"),
    path("shop/cart", views.CartApi.as_view(), name="api_shop_cart"),
    path("shop/cart/lines", views.CartLineAddApi.as_view(), name="api_shop_cart_line_add"),
    path("shop/cart/lines/<str:product_id>", views.CartLineApi.as_view(), name="api_shop_cart_line"),
    path("shop/checkout", views.CheckoutApi.as_view(), name="api_shop_checkout"),
    path("shop/orders", views.OrderListApi.as_view(), name="api_shop_order_list"),
    path("shop/orders/<uuid:uuid>", views.OrderDetailApi.as_view(), name="api_shop_order_detail"),
    path("shop/orders/<uuid:uuid>/tracking", views.OrderTrackingApi.as_view(), name="api_shop_order_tracking"),
    path("shop/orders/<uuid:uuid>/cancel", views.OrderCancelApi.as_view(), name="api_shop_order_cancel"),
    path("shop/orders/<uuid:uuid>/reships", views.OrderReshipApi.as_view(), name="api_shop_order_reships"),
    path("shop/boxes", views.BoxListApi.as_view(), name="api_shop_box_list"),
    path("shop/boxes/<uuid:uuid>/reships", views.BoxReshipApi.as_view(), name="api_shop_box_reships"),
]
