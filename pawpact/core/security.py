"""Answers that must not depend on what a client writes into the Host header.

Django's ALLOWED_HOSTS compares the host name only: `alpha.example.com:6666` passes, and
a link built from it (a password reset mail, a redirect) would point at a port nobody
serves, or one an attacker listens on beside ours. A Host header whose port is not one
this deployment answers on is refused before anything reads it.
"""
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.http.request import split_domain_port
from django.utils.translation import gettext as _


def allowed_host_ports() -> set[str] | None:
    """The ports a Host header may name ("" for none); None: any (test servers on random ports)."""
    extra = settings.PAWPACT_HOST_PORTS
    if extra is None:
        return None
    return {"", "80", "443", str(settings.PAWPACT_PORT), str(settings.PAWPACT_URL_PORT), *map(str, extra)}


class HostPortMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ports = allowed_host_ports()
        if ports is not None:
            _domain, port = split_domain_port(request.META.get("HTTP_HOST", ""))
            if port not in ports:
                return HttpResponseBadRequest(_("This address is not served on that port."), content_type="text/plain")
        return self.get_response(request)
