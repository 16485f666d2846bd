"""The host → shop step of every request, with at most one `SET search_path`.

django-tenants' middleware points the connection at the public schema to look the host up,
then at the shop's: two `SET search_path` statements a request even with
TENANT_LIMIT_SET_CALLS, a round trip each. The lookup reads two public tables only (domains
and their shops), which exist in no shop schema, and every search path the connection can
hold reaches the public schema (a shop's is "shop_x","public"; PostgreSQL's default is
"$user",public). So the lookup runs on whatever path the connection has, and only the shop's
path is set, once; a connection already on that shop's path (persistent connections, the
same shop again) is not set at all. A host that is no shop's is served from the public schema.

The shop is read fresh on every request (its state and mode change at once for every
worker), by one statement composed once per process (pawpact.core.rows): building the
ORM's join for it cost as much as the round trip.
"""
from functools import cache

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model, get_tenant_model

from pawpact.core import rows


@cache
def _shop_by_host_sql() -> str:
    shop, domain = get_tenant_model(), get_tenant_domain_model()
    tenant = domain._meta.get_field("tenant")
    return (
        f'SELECT {rows.columns(shop, "s")} FROM "{domain._meta.db_table}" d'
        f' JOIN "{shop._meta.db_table}" s ON s."{shop._meta.pk.column}" = d."{tenant.column}"'
        f' WHERE d."{domain._meta.get_field("domain").column}" = %s'
    )


class ShopHostMiddleware(TenantMainMiddleware):
    def get_tenant(self, domain_model, hostname):
        with connection.cursor() as cursor:
            cursor.execute(_shop_by_host_sql(), [hostname])
            row = cursor.fetchone()
        if row is None:
            raise domain_model.DoesNotExist(hostname)
        return rows.instance(get_tenant_model(), row, 0, connection.alias)

    def process_request(self, request):
        on_path = getattr(connection, "search_path_set_schemas", None)
        connection.set_schema_to_public()
        # Told that a path is set, django-tenants sends no SET before the lookup (see above why
        # any path serves it); set_tenant below forgets this again.
        connection.search_path_set_schemas = on_path or [get_public_schema_name()]
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            connection.set_schema_to_public()
            return HttpResponseNotFound()
        domain_model = get_tenant_domain_model()
        try:
            tenant = self.get_tenant(domain_model, hostname)
        except domain_model.DoesNotExist:
            connection.set_schema_to_public()
            return self.no_tenant_found(request, hostname)
        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        if on_path and list(on_path) == list(connection._get_cursor_search_paths()):
            connection.search_path_set_schemas = on_path  # the connection is on this path already
        self.setup_url_routing(request)
