"""URLs of the public site (the base domain): signup, platform console, platform admin."""
from django.contrib import admin
from django.urls import include, path, re_path

from pawpact.platform import (
    golive_views,
    partner_hours_views,
    partner_payout_views,
    partner_portal_views,
    partner_statement_views,
    partner_views,
    warehouse_views,
)
from pawpact.platform import views as platform_views
from pawpact.platform import webhooks as platform_webhooks
from pawpact.platform.funding import import_lines_views, reconciliation_views
from pawpact.platform.funding import views as funding_views
from pawpact.platform.saas import views as saas_views
from pawpact.platform.signup import views as signup_views
from pawpact.storefront import webhooks as storefront_webhooks
from pawpact.tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.public_home, name="public_home"),
    path("signup/", signup_views.ShopSignupView.as_view(), name="shop_signup"),
    path("shops/<slug:slug>/open/", tenant_views.shop_open, name="shop_open"),  # owner → shop workspace
    path("accounts/signup/", signup_views.ShopSignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("console/", platform_views.console_shops, name="console_shops"),
    re_path(
        r"^console/shops/(?P<shop_id>\d+)/(?P<action>deactivate|reactivate)/$",
        platform_views.console_shop_state,
        name="console_shop_state",
    ),
    # A shop's test or live mode, provider credentials and payout account.
    path("console/shops/<int:shop_id>/money/", golive_views.console_shop_money, name="console_shop_money"),
    re_path(
        r"^console/shops/(?P<shop_id>\d+)/money/(?P<action>[a-z-]+)/$",
        golive_views.console_shop_money_action,
        name="console_shop_money_action",
    ),
    path("console/reconciliation/", reconciliation_views.console_reconciliation, name="console_reconciliation"),
    path(
        "console/reconciliation/imports/",
        reconciliation_views.console_statement_import,
        name="console_statement_import",
    ),
    path(
        "console/reconciliation/imports/<int:import_id>/",
        import_lines_views.console_statement_import_status,
        name="console_statement_import_status",
    ),
    path("console/reconciliation/lines/", import_lines_views.console_statement_lines, name="console_statement_lines"),
    path(
        "console/reconciliation/mismatches/<int:mismatch_id>/",
        reconciliation_views.console_mismatch_resolve,
        name="console_mismatch_resolve",
    ),
    path("webhooks/stripe/", platform_webhooks.stripe_webhook, name="stripe_webhook"),
    path("webhooks/warehouse/<slug:code>/", storefront_webhooks.warehouse_callback, name="warehouse_callback"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Platform dashboard, ranking, risk overrides, portfolio reports.
    path("console/insights/", include("pawpact.platform.kpis.views")),
    path("console/subscriptions/", saas_views.console_subscriptions, name="console_subscriptions"),
    # Advance funding, settlement statements and the outbox lag.
    path("console/funding/", funding_views.console_funding, name="console_funding"),
    path("console/funding/settlement-run/", funding_views.console_settlement_run, name="console_settlement_run"),
    path("console/funding/shops/<int:shop_id>/", funding_views.console_funding_shop, name="console_funding_shop"),
    re_path(
        r"^console/funding/payouts/(?P<payout_id>\d+)/statement\.(?P<fmt>csv|pdf)$",
        funding_views.console_statement,
        name="console_statement",
    ),
    path("console/outbox/", funding_views.console_outbox, name="console_outbox"),
    # Service partners: onboarding, licence, service standard, ratings, delist and relist.
    path("console/partners/", partner_views.console_partners, name="console_partners"),
    path("console/partners/new/", partner_views.console_partner_new, name="console_partner_new"),
    path("console/partners/<int:partner_id>/", partner_views.console_partner, name="console_partner"),
    path("console/partners/<int:partner_id>/statement/", partner_statement_views.console_partner_statement,
         name="console_partner_statement"),
    path("console/partners/<int:partner_id>/invite/", partner_statement_views.console_partner_invite,
         name="console_partner_invite"),
    path("console/partners/<int:partner_id>/licence-reviewed/", partner_statement_views.console_partner_licence_reviewed,
         name="console_partner_licence_reviewed"),
    path("console/partners/<int:partner_id>/payout-account/", partner_payout_views.console_partner_payout_account,
         name="console_partner_payout_account"),
    path("console/partners/<int:partner_id>/payout-account/verify/", partner_payout_views.console_partner_payout_verify,
         name="console_partner_payout_verify"),
    path("console/partners/<int:partner_id>/hours/", partner_hours_views.console_partner_hours,
         name="console_partner_hours"),
    path("partner/hours/", partner_hours_views.partner_hours_page, name="partner_hours"),
    path("partner/payout-account/", partner_payout_views.partner_payout_account_page, name="partner_payout_account"),
    path("partner/payout-account/verify/", partner_payout_views.partner_payout_verify, name="partner_payout_verify"),
    path("partner/", partner_portal_views.partner_home, name="partner_home"),
    path("partner/profile/", partner_portal_views.partner_profile, name="partner_profile"),
    path("partner/statement/", partner_portal_views.partner_statement_page, name="partner_statement"),
    path("partner/bookings/<int:booking_id>/complete/", partner_portal_views.partner_booking_complete_view,
         name="partner_booking_complete"),
    path("console/partners/clearing-run/", partner_statement_views.console_partner_clearing_run,
         name="console_partner_clearing_run"),
    path("console/partners/<int:partner_id>/licence/", partner_views.console_partner_licence,
         name="console_partner_licence"),
    path("console/partners/<int:partner_id>/<slug:action>/", partner_views.console_partner_state,
         name="console_partner_state"),
    # Partner warehouses: onboarding, credentials, connectivity, catalog import, SLA.
    path("console/warehouses/", warehouse_views.console_warehouses, name="console_warehouses"),
    path("console/warehouses/<int:warehouse_id>/", warehouse_views.console_warehouse, name="console_warehouse"),
    path("console/warehouses/<int:warehouse_id>/check/", warehouse_views.console_warehouse_check,
         name="console_warehouse_check"),
    path("console/warehouses/<int:warehouse_id>/import/", warehouse_views.console_warehouse_import,
         name="console_warehouse_import"),
    path("console/warehouses/<int:warehouse_id>/imports/<int:run_id>/", warehouse_views.console_warehouse_import_progress,
         name="console_warehouse_import_progress"),
    path("console/warehouses/<int:warehouse_id>/hold/", warehouse_views.console_warehouse_hold,
         name="console_warehouse_hold"),
    path("console/warehouses/<int:warehouse_id>/fault/", warehouse_views.console_warehouse_fault,
         name="console_warehouse_fault"),
    # The platform API (platform admins only): insights and funding.
    path("api/v1/platform/", include("pawpact.api.v1.platform.urls")),
]

# Friendly pages in the visitor's language; the API's error shape under /api/.
handler400 = "pawpact.config.error_views.bad_request"
handler403 = "pawpact.config.error_views.permission_denied"
handler404 = "pawpact.config.error_views.page_not_found"
handler500 = "pawpact.config.error_views.server_error"
