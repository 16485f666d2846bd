from django.conf import settings


def client_ip(request) -> str | None:
    """The address the request came from, as recorded on signatures.

    Behind PAWPACT_TRUSTED_PROXY_HOPS reverse proxies, REMOTE_ADDR is the nearest
    proxy's; each proxy appends the address it saw to X-Forwarded-For, so the client
    is that many entries from the right (entries further left are client-supplied).
    """
    hops = settings.PAWPACT_TRUSTED_PROXY_HOPS
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
