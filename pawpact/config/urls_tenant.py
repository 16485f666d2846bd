"""URLs of a shop's own domain: storefront, staff back office, REST API.

No Django admin here: staff work in the workspace (/manage/); the admin stays on the
public host for platform admins only.
"""
from django.urls import include, path

from pawpact.billing import notifications as rail_notifications
from pawpact.storefront import partner_views as storefront_partner_views
from pawpact.storefront import signing_agreement, signing_views
from pawpact.storefront import views as storefront_views
from pawpact.tenants import views as tenant_views
from pawpact.workspace.views import customer_home
from pawpact.workspace.views import settings as workspace_settings

urlpatterns = [
    path("", tenant_views.shop_home, name="shop_home"),
    path("handoff/<str:token>/", tenant_views.login_handoff, name="login_handoff"),
    path("my/", customer_home.my_home, name="my_home"),  # the customer's account: every customer page
    path("my/plans/", storefront_views.my_contracts, name="my_contracts"),
    path("my/plans/<uuid:uuid>/withdraw/", storefront_views.my_contract_withdraw, name="my_contract_withdraw"),
    path("manage/", include("pawpact.workspace.urls")),  # the merchant workspace (staff)
    path("shop/logo/", workspace_settings.shop_logo, name="shop_logo"),  # the profile's logo, for every visitor
    path("sign/<str:token>/", signing_views.signing_page, name="signing_page"),  # the customer's phone
    path("sign/<str:token>/agreement/", signing_agreement.signing_agreement_status, name="signing_agreement_status"),
    path("sign/done/<uuid:uuid>/", signing_views.signing_done, name="signing_done"),
    path("my/plans/<uuid:uuid>/end/", signing_views.my_contract_end, name="my_contract_end"),
    # Alipay and WeChat Pay notify each shop on its own host (pawpact.billing.notifications).
    path("webhooks/alipay/", rail_notifications.alipay_notification, name="alipay_notification"),
    path("webhooks/wechat/", rail_notifications.wechat_notification, name="wechat_notification"),
    path("my/plans/<uuid:uuid>/agreement.pdf", storefront_views.my_agreement, name="my_agreement"),
    path("my/plans/<uuid:uuid>/payment/", storefront_views.my_payment_method, name="my_payment_method"),
    path("my/plans/<uuid:uuid>/pet-loss/", storefront_views.my_pet_loss, name="my_pet_loss"),
    path("my/messages/", storefront_views.my_messages, name="my_messages"),
    path("my/partner-services/", storefront_partner_views.my_partner_services, name="my_partner_services"),
    path("my/partner-services/<int:booking_id>/rate/", storefront_partner_views.my_partner_rate,
         name="my_partner_rate"),
    path("emergency/", storefront_partner_views.emergency_clinics, name="emergency_clinics"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("pawpact.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("insights/", include("pawpact.platform.kpis.shop_views")),  # the owner's KPI dashboard and reports
    path("billing/saas/", include("pawpact.platform.saas.urls")),  # the owner's Pawpact subscription
    path("settlements/", include("pawpact.platform.funding.shop_views")),  # payouts and statements
    path("", include("pawpact.care.urls")),  # my pets, bookings, complaints, shared health records, adoptable pets
    path("", include("pawpact.loyalty.urls")),  # exit survey pages
    path("", include("pawpact.storefront.urls")),  # the H5 shop (/shop/) and its staff pages (/manage/catalog/)
]

# Friendly pages in the visitor's language; the API's error shape under /api/.
handler400 = "pawpact.config.error_views.bad_request"
handler403 = "pawpact.config.error_views.permission_denied"
handler404 = "pawpact.config.error_views.page_not_found"
handler500 = "pawpact.config.error_views.server_error"
