"""bench.api's path B: the deployed settings without tenancy middleware.

The same stack and views, with the host → shop step replaced by one that hands every
request the shop named by PAWPACT_BENCH_SHOP_SCHEMA (looked up once per process) and points
a connection at its schema only when the connection is not there yet: what a one-schema
project costs per request.
"""
from pawpact.config.settings.base import *  # noqa: F401,F403
from pawpact.config.settings.base import MIDDLEWARE

MIDDLEWARE = [
    "bench.api_settings.PinnedShopMiddleware" if name == "pawpact.tenants.host_middleware.ShopHostMiddleware" else name
    for name in MIDDLEWARE
]


class PinnedShopMiddleware:
    shop = None

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import os

        from django.db import connection
        from django_tenants.utils import get_tenant_model

        if PinnedShopMiddleware.shop is None:
            PinnedShopMiddleware.shop = get_tenant_model().objects.get(schema_name=os.environ["PAWPACT_BENCH_SHOP_SCHEMA"])
        shop = PinnedShopMiddleware.shop
        if connection.schema_name != shop.schema_name:  # a new connection, or one a task switched away
            connection.set_tenant(shop)
        request.tenant, request.urlconf = shop, "pawpact.config.urls_tenant"
        return self.get_response(request)
