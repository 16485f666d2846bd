"""A shop whose subscription is read-only (unpaid after the grace period) keeps a
read-only back office: staff writes are refused, everything else keeps working.

Refused: POST/PUT/PATCH/DELETE by a staff user (session or API token) to the back
office (the workspace, /manage/) or the API (/api/). Still allowed: every read; logging in and out;
everything a customer does (storefront pages, customer API calls); the owner's
billing page (/billing/saas/, where the shop pays to become active again); and all
background work (debit runs, shipments), which never passes through a request.

Placed right after ShopAvailabilityMiddleware; it acts in process_view, once the
session user is known. Safe methods cost nothing (no query).
"""
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from pawpact.accounts.authentication import DeviceTokenAuthentication
from pawpact.core.http import json_answer
from pawpact.platform.saas.errors import SubscriptionUnpaid
from pawpact.platform.saas.selectors import subscription_is_read_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
GUARDED_PREFIXES = ("/api/", "/manage/")
# Signing in and out is never a write to the shop's data.
ALWAYS_ALLOWED = frozenset({"/api/v1/auth/token"})


def unpaid_error() -> SubscriptionUnpaid:
    return SubscriptionUnpaid(
        _(
            "This shop's subscription is unpaid, so its back office is read-only. "
            "Customers are not affected. The owner can pay on the billing page (/billing/saas/)."
        )
    )


def _is_staff(request) -> bool:
    """Who the view will act for: the API's token first (as DRF authenticates), else the session."""
    if request.path_info.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION"):
        try:
            authenticated = DeviceTokenAuthentication().authenticate(request) or TokenAuthentication().authenticate(
                request
            )
        except AuthenticationFailed:
            return False  # the view refuses the bad token itself
        if authenticated is not None:
            return bool(authenticated[0].is_staff)
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


class SubscriptionReadOnlyMiddleware(MiddlewareMixin):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        shop = getattr(request, "tenant", None)
        if shop is None or shop.is_platform:
            return None
        path = request.path_info
        if not path.startswith(GUARDED_PREFIXES) or path in ALWAYS_ALLOWED:
            return None
        if not subscription_is_read_only(shop_id=shop.pk) or not _is_staff(request):
            return None
        error = unpaid_error()
        if path.startswith("/api/"):
            return json_answer(error.as_dict(), status=error.http_status)
        return render(
            request, "platform/saas/read_only.html", {"shop": shop, "message": error.message}, status=error.http_status
        )
