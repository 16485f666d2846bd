from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseNotFound, JsonResponse
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from pawpact.core.http import is_api_path
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Domain, Shop

# A deactivated shop's owner still logs in, reads why, and pays the Pawpact subscription.
OPEN_WHEN_DEACTIVATED = ("/accounts/", "/billing/saas/", "/i18n/")


class ShopAvailabilityMiddleware(MiddlewareMixin):
    """A shop that is still being set up, or deactivated, answers with a page saying so
    (with the API's error shape under /api/)."""

    def process_request(self, request):
        shop = getattr(request, "tenant", None)
        if shop is None or shop.is_platform:
            return None
        if shop.migration_error:
            # Its schema stayed behind the code after a failed deploy migration: nothing may touch it.
            return _unavailable(request, shop, 503, "shop_maintenance", _("This shop is down for maintenance; try again shortly."))
        if shop.is_ready:
            return None
        if shop.state == ShopState.DEACTIVATED and request.path_info.startswith(OPEN_WHEN_DEACTIVATED):
            return None
        if shop.state == ShopState.PROVISIONING:
            status, code, message = 503, "shop_provisioning", _("This shop is being set up; try again shortly.")
        else:
            status, code, message = 403, "shop_closed", _("This shop is closed.")
        return _unavailable(request, shop, status, code, message)


def _unavailable(request, shop, status: int, code: str, message: str):
    if is_api_path(request.path):
        return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    return render(
        request, "tenants/shop_unavailable.html", {"shop": shop, "maintenance": code == "shop_maintenance"}, status=status
    )


class ShopFromHostMiddleware(TenantMainMiddleware):
    """django-tenants' host → shop selection with one `SET search_path` per request instead
    of two: the domain is looked up with schema-qualified SQL, so the connection need not be
    switched to the public schema first (and back) just to read it. Whatever schema the
    connection had from its previous request is not read: the lookup names public tables."""

    def process_request(self, request):
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        shop = _shop_for_host(hostname)
        if shop is None:
            connection.set_schema_to_public()
            return self.no_tenant_found(request, hostname)
        shop.domain_url = hostname
        request.tenant = shop
        connection.set_tenant(shop)
        self.setup_url_routing(request)
        return None


def _shop_for_host(hostname: str) -> Shop | None:
    public = get_public_schema_name()
    shops = Shop.objects.raw(
        f'SELECT s.* FROM "{public}"."{Shop._meta.db_table}" s '
        f'JOIN "{public}"."{Domain._meta.db_table}" d ON d.tenant_id = s.id WHERE d.domain = %s',
        [hostname],
    )
    # The statement names its schema, so any search path serves it: the connection's pending
    # SET is skipped here, and the shop's own (set_tenant, right after) is the request's one SET.
    skipped = connection.search_path_set_schemas is None
    if skipped:
        connection.search_path_set_schemas = [public]
    try:
        return next(iter(shops), None)
    finally:
        if skipped:
            connection.search_path_set_schemas = None
