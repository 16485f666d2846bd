from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from pawpact.core.http import api_language, is_api_path, json_answer
from pawpact.tenants.enums import ShopState

# A deactivated shop's owner still logs in, reads why, and pays the Pawpact subscription.
OPEN_WHEN_DEACTIVATED = ("/accounts/", "/billing/saas/", "/i18n/")
# The maintenance page's own language switch and assets.
OPEN_IN_MAINTENANCE = ("/i18n/",)
# A failed migration lasts until an operator reruns it: clients are told to come back, not when.
MAINTENANCE_RETRY_AFTER_SECONDS = 300


class ShopAvailabilityMiddleware(MiddlewareMixin):
    """A shop that is still being set up, or deactivated, answers with a page saying so
    (with the API's error shape under /api/)."""

    def process_request(self, request):
        shop = getattr(request, "tenant", None)
        if shop is None or shop.is_platform:
            return None
        if shop.migration_error:
            # Its schema stayed behind the code after a failed deploy migration: nothing may touch it.
            if request.path_info.startswith((*OPEN_IN_MAINTENANCE, settings.STATIC_URL)):
                return None
            response = _unavailable(request, shop, 503, "shop_maintenance")
            response["Retry-After"] = str(MAINTENANCE_RETRY_AFTER_SECONDS)
            return response
        if shop.is_ready:
            return None
        if shop.state == ShopState.DEACTIVATED and request.path_info.startswith(OPEN_WHEN_DEACTIVATED):
            return None
        if shop.state == ShopState.PROVISIONING:
            return _unavailable(request, shop, 503, "shop_provisioning")
        return _unavailable(request, shop, 403, "shop_closed")


def _message(code: str) -> str:
    return {
        "shop_maintenance": _("This shop is being updated; please try again later."),
        "shop_provisioning": _("This shop is being set up; try again shortly."),
        "shop_closed": _("This shop is closed."),
    }[code]


def _unavailable(request, shop, status: int, code: str):
    # Runs before LocaleMiddleware: the language is read here, as the API and the pages read it.
    if is_api_path(request.path):
        with translation.override(api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))):
            return json_answer({"code": code, "message": _message(code), "fields": {}}, status=status)
    with translation.override(translation.get_language_from_request(request)):
        return render(
            request, "tenants/shop_unavailable.html", {"shop": shop, "maintenance": code == "shop_maintenance"}, status=status
        )
