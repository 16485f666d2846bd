"""URLs of a shop's own domain: storefront, staff back office, REST API."""
from django.contrib import admin
from django.urls import include, path

from pawpact.storefront import views as storefront_views
from pawpact.tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.shop_home, name="shop_home"),
    path("handoff/<str:token>/", tenant_views.login_handoff, name="login_handoff"),
    path("my/plans/", storefront_views.my_contracts, name="my_contracts"),
    path("my/plans/<uuid:uuid>/withdraw/", storefront_views.my_contract_withdraw, name="my_contract_withdraw"),
    path("my/plans/<uuid:uuid>/cancel/", storefront_views.my_contract_cancel, name="my_contract_cancel"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("pawpact.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("insights/", include("pawpact.platform.kpis.shop_views")),  # the owner's KPI dashboard and reports
    path("billing/saas/", include("pawpact.platform.saas.urls")),  # the owner's Pawpact subscription
    path("settlements/", include("pawpact.platform.funding.shop_views")),  # payouts and statements
    path("", include("pawpact.loyalty.urls")),  # exit survey pages
]
