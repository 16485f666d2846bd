from django.urls import path

from pawpact.storefront import box_views, photo_views, plan_apply_views, shop_views, staff_box_views, staff_views

app_name = "storefront"
urlpatterns = [
    path("shop/", shop_views.shop_front, name="front"),
    path("shop/plans/<slug:code>/", shop_views.plan_page, name="plan"),
    path("shop/plans/<slug:code>/apply/", plan_apply_views.plan_apply, name="plan_apply"),
    path("shop/products/<int:product_id>/", shop_views.product_page, name="product"),
    path("shop/products/<int:product_id>/add/", shop_views.cart_add, name="cart_add"),
    path("shop/cart/", shop_views.cart_page, name="cart"),
    path("shop/checkout/", shop_views.checkout_submit, name="checkout"),
    path("shop/orders/", shop_views.orders_page, name="orders"),
    path("shop/orders/<uuid:order_uuid>/", shop_views.order_page, name="order"),
    path("shop/orders/<uuid:order_uuid>/cancel/", shop_views.order_cancel_submit, name="order_cancel"),
    path("shop/orders/<uuid:order_uuid>/to-cart/", shop_views.order_to_cart, name="order_to_cart"),
    path("shop/reship-photos/<uuid:request_uuid>/<int:photo_id>/", shop_views.reship_photo, name="reship_photo"),
    # The warehouse fetches reship photos with a signed link (no session).
    path("warehouse/reship-photos/<str:token>/", photo_views.warehouse_reship_photo, name="warehouse_reship_photo"),
    path("shop/boxes/", box_views.boxes_page, name="boxes"),
    path("shop/boxes/<uuid:box_uuid>/", box_views.box_page, name="box"),
    # Staff: the workspace's Catalog menu.
    path("manage/catalog/", staff_views.catalog_page, name="staff_catalog"),
    path("manage/catalog/plans/<int:version_id>/box/", staff_box_views.plan_box_page, name="staff_plan_box"),
    path("manage/parcels/", staff_views.parcels_page, name="staff_parcels"),
    path("manage/orders/", staff_views.orders_page, name="staff_orders"),
    path("manage/parcels/<uuid:parcel_uuid>/age/", staff_views.parcel_age_submit, name="staff_parcel_age"),
    path("manage/parcels/reships/<uuid:request_uuid>/decide/", staff_views.reship_decide_submit,
         name="staff_reship_decide"),
    path("manage/orders/<uuid:order_uuid>/", staff_views.order_page, name="staff_order"),
]
