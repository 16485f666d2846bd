"""Production settings: everything secret or environment-specific comes from the
environment, and a missing or weak value stops the process at import time instead
of silently falling back to the development defaults of base.py."""
import os

from django.core.exceptions import ImproperlyConfigured

from pawpact.config.settings.base import *  # noqa: F401,F403
from pawpact.config.settings.base import PAWPACT_BASE_DOMAIN, STORAGES


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False

SECRET_KEY = _required("DJANGO_SECRET_KEY")
# Same bar as Django's security.W009, enforced as an error rather than a warning.
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 random characters, "
        "not starting with 'django-insecure'."
    )

# base.py already parsed both URLs (keeping DATABASE_CONN_MAX_AGE and the
# django-tenants engine); here they only have to be present, since base falls back
# to a local database, and to PostgreSQL for Celery and the cache, when they are not.
_required("DATABASE_URL")
_required("REDIS_URL")

# ALLOWED_HOSTS stays as in base: the base domain and every shop subdomain.
CSRF_TRUSTED_ORIGINS = [f"https://{PAWPACT_BASE_DOMAIN}", f"https://*.{PAWPACT_BASE_DOMAIN}"]

# TLS ends at the reverse proxy in front of gunicorn, which must set this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PAWPACT_TRUSTED_PROXY_HOPS = int(os.environ.get("PAWPACT_TRUSTED_PROXY_HOPS", "1"))
# Overridable to try the image over plain HTTP; check --deploy warns when it is off.
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # every shop is a subdomain of the base domain
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Hashed, pre-compressed files served by WhiteNoise (the middleware is in base).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
