"""The API's language comes from `Accept-Language` alone, English when it is absent: a
frontend's messages must not change with a cookie set by the shop's pages, nor default
to the site's Chinese."""
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

API_PREFIX = "/api/"
DEFAULT = "en"


def api_language(accept_language: str) -> str:
    for language, _quality in parse_accept_lang_header(accept_language):
        if language == "*":
            break
        try:
            return get_supported_language_variant(language)
        except LookupError:
            continue
    return DEFAULT


class ApiLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX) and settings.USE_I18N:
            language = api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
