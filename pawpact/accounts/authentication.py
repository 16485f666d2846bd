"""`Authorization: Token <access token>` for a signed-in device.

The device's token is tried first; a key it does not know falls through to DRF's
TokenAuthentication (the platform admins' tokens in the public schema). An expired access
token answers `token_expired` so a frontend knows to refresh rather than sign in again.
"""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from pawpact.accounts.selectors import api_device_by_access_token
from pawpact.accounts.services import api_device_touch
from pawpact.core.clock import default_clock


class TokenExpiredFailure(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class DeviceTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        authenticated = super().authenticate(request)
        if authenticated is not None:
            # The dated API version this device signed in with (pawpact.api.versioning).
            getattr(request, "_request", request).pawpact_pinned_version = authenticated[1].api_version
        return authenticated

    def authenticate_credentials(self, key):
        device = api_device_by_access_token(token=key)
        if device is None:
            return None
        if device.revoked_at is not None or not device.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if device.access_expires_at <= default_clock.now():
            raise TokenExpiredFailure(_("The access token has expired: refresh it."), code="token_expired")
        api_device_touch(device=device)
        return device.user, device
