"""The host → shop step of every request, with at most one `SET search_path`.

django-tenants' middleware points the connection at the public schema to look the host up,
then at the shop's: two `SET search_path` a request even with TENANT_LIMIT_SET_CALLS, and a
round trip each. Both lookups read public tables only (domains and shops), which every shop's
search path also reaches ("shop_x", "public"), so on a connection whose path already holds
the public schema the lookup runs where it is; and a connection already on the shop's path
(persistent connections, the same shop again) keeps it. A fresh connection, or one after a
rollback, still starts from the public schema.
"""
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model


class ShopHostMiddleware(TenantMainMiddleware):
    def process_request(self, request):
        current = getattr(connection, "search_path_set_schemas", None)
        if not current or get_public_schema_name() not in current:
            connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            connection.set_schema_to_public()
            return HttpResponseNotFound()
        domain_model = get_tenant_domain_model()
        try:
            tenant = self.get_tenant(domain_model, hostname)
        except domain_model.DoesNotExist:
            # Nothing of the previous request's shop may serve a host that is no shop's.
            connection.set_schema_to_public()
            return self.no_tenant_found(request, hostname)
        tenant.domain_url = hostname
        request.tenant = tenant
        already = getattr(connection, "search_path_set_schemas", None)
        connection.set_tenant(tenant)
        if already and list(already) == list(connection._get_cursor_search_paths()):
            connection.search_path_set_schemas = already  # the connection is on this path already
        self.setup_url_routing(request)
