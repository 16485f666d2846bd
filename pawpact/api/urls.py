"""Mounted under /api/v1/ on every shop's host (pawpact.config.urls_tenant); one include per domain."""
from django.urls import include, path, re_path

from pawpact.api import guide, views
from pawpact.api.views import SchemaApi, SchemaDocsApi, SchemaJsonApi

urlpatterns = [
    path("", views.ApiRootApi.as_view(), name="api_root"),
    path("health", views.HealthCheckApi.as_view(), name="api_health"),
    # token, me, staff
    path("", include("pawpact.api.v1.accounts.urls")),
    # customers and pets
    path("", include("pawpact.api.v1.customers.urls")),
    # plans, applying, signing, the debit calendar
    path("", include("pawpact.api.v1.billing.urls")),
    # the shop's KPIs and benchmarks
    path("insights/", include("pawpact.api.v1.insights.urls")),
    # contract exits (quote, execute, pet loss, cooling-off)
    path("", include("pawpact.api.v1.termination.urls")),
    path("", include("pawpact.api.v1.messaging.urls")),
    path("", include("pawpact.api.v1.renewals.urls")),
    # customer segments and win-back codes
    path("", include("pawpact.api.v1.loyalty.urls")),
    # referral code, points mall, stored value (the customer's own)
    path("", include("pawpact.api.v1.wallet.urls")),
    path("", include("pawpact.api.v1.coupons.urls")),
    path("", include("pawpact.api.v1.paid_membership.urls")),
    # saved payment methods: list, read, remove
    path("", include("pawpact.api.v1.payment_methods.urls")),
    # call queue, payment method replacement, deferrals, standing and holds
    path("", include("pawpact.api.v1.dunning.urls")),
    # outbound webhooks: endpoints, deliveries, resend
    path("", include("pawpact.api.v1.webhooks.urls")),
    # test clocks (test mode): billing time travel for attached contracts
    path("", include("pawpact.api.v1.test_clocks.urls")),
    # services, resources, free slots and bookings
    path("", include("pawpact.api.v1.care.urls")),
    # service partners: emergency clinic search, partner bookings, ratings
    path("", include("pawpact.api.v1.partners.urls")),
    path("", include("pawpact.api.v1.pets.urls")),  # pet archive, adoptions, health guarantee
    # the shop's public profile (anonymous)
    path("", include("pawpact.api.v1.shop.urls")),
    # the storefront's catalog (anonymous)
    path("", include("pawpact.api.v1.storefront.urls")),
    # The developer guide (docs/api.md as a page), linked from the schema's description.
    path("guide", guide.guide, name="api_guide"),
    path("schema", SchemaApi.as_view(), name="api_schema"),
    path("schema.json", SchemaJsonApi.as_view(), name="api_schema_json"),
    # `?lang=zh-hans`: the schema and the docs page in Chinese (pawpact.api.views).
    # The page's script is a separate file (?script): the CSP refuses inline scripts without a nonce.
    path("docs", SchemaDocsApi.as_view(url_name="api_schema_json"), name="api_docs"),
    # Last: anything else under /api/v1/ (a malformed uuid, a typo) answers a JSON 404.
    re_path(r"^[\s\S]*$", views.NotFoundApi.as_view(), name="api_not_found"),  # newlines too
]
