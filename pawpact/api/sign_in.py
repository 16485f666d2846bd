"""The one answer of every way to sign in (password, texted code, registration, WeChat) and of
a refresh: `object: "token"`, so a frontend handles them all alike (docs/api.md, Signing in).

Before 2026-12-15 the phone sign-in and the registration answered objects of their own; the
answer remembers which it was, so that clients of 2026-12-01 keep theirs
(pawpact.api.version_shapes)."""
from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from pawpact.accounts.services import IssuedTokens
from pawpact.api.serializers import TokenSerializer
from pawpact.customers.models import Customer

# The object each sign-in answered in 2026-12-01.
TOKEN = "token"
PHONE_SIGN_IN = "phone_sign_in"
CUSTOMER_REGISTERED = "customer_registered"


def signed_in_customer(user) -> Customer | None:
    """The customer a login belongs to; none for the shop's staff."""
    return None if user.is_staff else Customer.objects.filter(user=user).first()


def signed_in(
    issued: IssuedTokens, *, customer: Customer | None, registered: bool = False, answered_as: str = TOKEN
) -> Response:
    device = issued.device
    body = TokenSerializer({
        "token": issued.access_token, "token_expires_at": device.access_expires_at,
        "refresh_token": issued.refresh_token, "refresh_expires_at": device.refresh_expires_at,
        "device_id": device.uuid, "customer": customer, "registered": registered,
    }).data  # fmt: skip
    response = Response(body, status=status.HTTP_201_CREATED if registered else status.HTTP_200_OK)
    response.sign_in_answered_as = answered_as
    # Secrets: never kept by a browser's or a proxy's cache (the request itself carried none).
    response["Cache-Control"] = "no-store"
    return response
