"""Production settings: everything secret or environment-specific comes from the
environment, and a missing or weak value stops the process at import time, with one
message naming every missing value, instead of silently falling back to the
development defaults of base.py."""
import os

from django.core.exceptions import ImproperlyConfigured

from pawpact.config.settings.requirements import production_message, production_problems

# Before base.py runs: without DJANGO_SECRET_KEY it would generate a key of its own.
if _problems := production_problems(os.environ):
    raise ImproperlyConfigured(production_message(_problems))

from pawpact.config.settings.base import *  # noqa: E402,F401,F403
from pawpact.config.settings.base import PAWPACT_BASE_DOMAIN, STORAGES  # noqa: E402


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False

# ALLOWED_HOSTS stays as in base: the base domain and every shop subdomain.
CSRF_TRUSTED_ORIGINS = [f"https://{PAWPACT_BASE_DOMAIN}", f"https://*.{PAWPACT_BASE_DOMAIN}"]

# TLS ends at the reverse proxy in front of gunicorn, which must set this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PAWPACT_TRUSTED_PROXY_HOPS = int(os.environ.get("PAWPACT_TRUSTED_PROXY_HOPS", "1"))
# Links point at the proxy (https, its default port), not at gunicorn's own port.
PAWPACT_URL_SCHEME = "https"
PAWPACT_URL_PORT = ""
# Overridable to try the image over plain HTTP; check --deploy warns when it is off.
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # every shop is a subdomain of the base domain
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Hashed, pre-compressed files served by WhiteNoise (the middleware is in base), as
# collected into the image; nothing is looked up in the apps at request time.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# Live money only: the platform funds, counts and pays out live-mode facts, and refuses
# sandbox providers for them. New shops start live (no sandbox) unless the operator lets
# them try the product in test mode first (PAWPACT_DEFAULT_SHOP_MODE=test).
PAWPACT_PLATFORM_MODE = "live"
PAWPACT_DEFAULT_SHOP_MODE = os.environ.get("PAWPACT_DEFAULT_SHOP_MODE", "live")
# Live advances go to each shop's own verified payout account, through the real provider.
PAWPACT_PAYOUT_RAIL = os.environ.get("PAWPACT_PAYOUT_RAIL", "accounts")
# Messages reach customers through each shop's own SMS and email providers (live shops:
# verified live credentials only; test shops: test credentials, else the sandboxes).
PAWPACT_MESSAGE_BACKEND = os.environ.get("PAWPACT_MESSAGE_BACKEND", "pawpact.messaging.delivery.ProviderBackend")
