from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin

from pawpact.tenants.enums import ShopState


class ShopAvailabilityMiddleware(MiddlewareMixin):
    """A shop that is still being set up, or deactivated, answers with a page saying so."""

    def process_request(self, request):
        shop = getattr(request, "tenant", None)
        if shop is None or shop.is_platform or shop.is_ready:
            return None
        status = 503 if shop.state == ShopState.PROVISIONING else 403
        return render(request, "tenants/shop_unavailable.html", {"shop": shop}, status=status)
