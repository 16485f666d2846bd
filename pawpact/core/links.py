"""Absolute links to the site, for messages and printed logins (no request to take the host from)."""
from django.conf import settings

DEFAULT_PORTS = {"http": "80", "https": "443"}


def site_url(host: str, path: str = "/") -> str:
    """`path` on `host` as people reach it: the run command's port (PAWPACT_PORT) locally,
    https on the proxy's default port in production."""
    scheme, port = settings.PAWPACT_URL_SCHEME, str(settings.PAWPACT_URL_PORT or "")
    netloc = host if port in ("", DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return f"{scheme}://{netloc}{path}"
