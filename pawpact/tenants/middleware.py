from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin

from pawpact.tenants.enums import ShopState

# A deactivated shop's owner still logs in, reads why, and pays the Pawpact subscription.
OPEN_WHEN_DEACTIVATED = ("/accounts/", "/billing/saas/", "/i18n/")


class ShopAvailabilityMiddleware(MiddlewareMixin):
    """A shop that is still being set up, or deactivated, answers with a page saying so."""

    def process_request(self, request):
        shop = getattr(request, "tenant", None)
        if shop is None or shop.is_platform or shop.is_ready:
            return None
        if shop.state == ShopState.DEACTIVATED and request.path_info.startswith(OPEN_WHEN_DEACTIVATED):
            return None
        status = 503 if shop.state == ShopState.PROVISIONING else 403
        return render(request, "tenants/shop_unavailable.html", {"shop": shop}, status=status)
