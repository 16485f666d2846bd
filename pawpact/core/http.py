from django.conf import settings
from django.http import HttpResponse


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


def attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A file download: the browser saves `body` as `filename` instead of showing it."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def is_api_path(path: str) -> bool:
    """Under /api/ every answer, errors included, is JSON in the API's error shape."""
    return path == "/api" or path.startswith("/api/")


def api_language(accept_language: str) -> str:
    """The API's language: `Accept-Language` alone, English when it names none we have."""
    from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

    for language, _quality in parse_accept_lang_header(accept_language):
        if language == "*":
            break
        try:
            return get_supported_language_variant(language)
        except LookupError:
            continue
    return "en"


def json_answer(body: dict, *, status: int = 200) -> HttpResponse:
    """JSON as the API's renderer writes it (compact, UTF-8 rather than `\\u` escapes), for the
    answers given before a view runs (middleware, error handlers), so a client sees one format."""
    from rest_framework.renderers import JSONRenderer

    return HttpResponse(JSONRenderer().render(body), content_type="application/json", status=status)
