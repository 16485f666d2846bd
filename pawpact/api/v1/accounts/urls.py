from django.urls import path

from pawpact.api.v1.accounts import views

urlpatterns = [
    path("auth/token", views.TokenCreateApi.as_view(), name="api_token_create"),
    path("auth/refresh", views.TokenRefreshApi.as_view(), name="api_token_refresh"),
    path("auth/wechat", views.WeChatLoginApi.as_view(), name="api_wechat_login"),
    path("auth/wechat/link", views.WeChatLinkApi.as_view(), name="api_wechat_link"),
    path("auth/logout", views.TokenRevokeApi.as_view(), name="api_logout"),
    path("auth/devices", views.DeviceListApi.as_view(), name="api_device_list"),
    path("auth/devices/<uuid:device_id>", views.DeviceRevokeApi.as_view(), name="api_device_revoke"),
    path("me", views.MeDetailApi.as_view(), name="api_me"),
    path("cors-origins", views.ApiOriginListApi.as_view(), name="api_origin_list"),
    path("cors-origins/<uuid:origin_id>", views.ApiOriginDetailApi.as_view(), name="api_origin_detail"),
    path("api-keys", views.ApiKeyListApi.as_view(), name="api_key_list"),
    path("api-keys/<uuid:key_id>", views.ApiKeyDetailApi.as_view(), name="api_key_detail"),
    path("api-keys/<uuid:key_id>/roll", views.ApiKeyRollApi.as_view(), name="api_key_roll"),
    path("staff", views.StaffListApi.as_view(), name="api_staff_list"),
]
