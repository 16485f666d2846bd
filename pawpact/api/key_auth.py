"""`Authorization: Bearer sk_…` (or `Token sk_…`): a shop's secret API key, for its servers.

Tried before the devices' tokens: a secret with the `sk_` prefix is a key or nothing. An
unknown key answers 401 `api_key_invalid`, a key of the other mode 401 `api_key_wrong_mode`;
failed attempts count against the client address at the sign-in rate (`token`), so keys
cannot be guessed faster than passwords. Each refusal is logged with the key's last four
characters only.
"""
import logging

from django.db import connection
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from pawpact.accounts.api_keys import PREFIX, api_key_by_secret, api_key_touch
from pawpact.api.versioning import LATEST
from pawpact.tenants.modes import current_livemode, current_shop

logger = logging.getLogger(__name__)
KEYWORDS = (b"bearer", b"token")


class ApiKeyInvalidFailure(exceptions.AuthenticationFailed):
    default_code = "api_key_invalid"


class ApiKeyGuessThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "api_key_failures", "ident": self.get_ident(request)}


def _secret_from(request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() not in KEYWORDS or not parts[1].startswith(PREFIX.encode()):
        return None
    try:
        return parts[1].decode()
    except UnicodeError:
        return None


def _refuse(request, secret: str, message: str, code: str):
    logger.warning("api key refused: %s …%s on %s", code, secret[-4:], connection.schema_name)
    throttle = ApiKeyGuessThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(throttle.wait())
    raise ApiKeyInvalidFailure(message, code=code)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        secret = _secret_from(request)
        if secret is None:
            return None
        key = api_key_by_secret(secret=secret) if current_shop() is not None else None
        if key is None or key.revoked_at is not None or not key.user.is_active or not key.user.is_staff:
            return _refuse(request, secret, _("This API key is not valid here: it was revoked, or it is another shop's."),
                           "api_key_invalid")  # fmt: skip
        live = current_livemode()
        if key.livemode != live:
            message = _("This is a live key and the shop is in test mode.") if not live else _(
                "This is a test key and the shop is in live mode.")  # fmt: skip
            return _refuse(request, secret, message, "api_key_wrong_mode")
        api_key_touch(key=key, latest_version=LATEST)
        # The dated API version of this key's first call (pawpact.api.versioning).
        getattr(request, "_request", request).pawpact_pinned_version = key.api_version
        return key.user, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
