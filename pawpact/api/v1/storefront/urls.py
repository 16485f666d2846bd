from django.urls import path

from pawpact.api.v1.storefront import order_views, views

urlpatterns = [
    path("shop/products", views.ProductListApi.as_view(), name="api_shop_product_list"),
    path("shop/products/<int:pk>", views.ProductDetailApi.as_view(), name="api_shop_product_detail"),
    path("shop/address", order_views.AddressApi.as_view(), name="api_shop_address"),
    path("shop/cart", order_views.CartApi.as_view(), name="api_shop_cart"),
    path("shop/cart/lines", order_views.CartLineAddApi.as_view(), name="api_shop_cart_line_add"),
    path("shop/cart/lines/<int:product_id>", order_views.CartLineApi.as_view(), name="api_shop_cart_line"),
    path("shop/checkout", order_views.CheckoutApi.as_view(), name="api_shop_checkout"),
    path("shop/orders", order_views.OrderListApi.as_view(), name="api_shop_order_list"),
    path("shop/orders/<uuid:uuid>", order_views.OrderDetailApi.as_view(), name="api_shop_order_detail"),
    path("shop/orders/<uuid:uuid>/tracking", order_views.OrderTrackingApi.as_view(), name="api_shop_order_tracking"),
    path("shop/orders/<uuid:uuid>/cancel", order_views.OrderCancelApi.as_view(), name="api_shop_order_cancel"),
    path("shop/orders/<uuid:uuid>/reships", order_views.OrderReshipApi.as_view(), name="api_shop_order_reships"),
]
