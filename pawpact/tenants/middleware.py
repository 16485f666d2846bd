from django.http import JsonResponse
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from pawpact.core.http import is_api_path
from pawpact.tenants.enums import ShopState

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
