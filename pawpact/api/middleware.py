"""What every API request and answer shares, whatever the view:

- The language comes from `Accept-Language` alone, English when it is absent: a
  frontend's messages must not change with a cookie set by the shop's pages, nor default
  to the site's Chinese.
- The answer names the API version it was given in (`Pawpact-Version`, pawpact.api.versioning).
- An answer to a request that carried credentials is `Cache-Control: no-store`: personal
  data and documents (agreements, evidence) stay out of shared and browser caches.
"""
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control

from pawpact.api import current
from pawpact.api.version_shapes import older_shape
from pawpact.api.versioning import RESPONSE_HEADER, answered_version, requested_version
from pawpact.core.errors import ApiVersionInvalid
from pawpact.core.http import api_language, json_answer

API_PREFIX = "/api/"


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if settings.USE_I18N:
            language = api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
            translation.activate(language)
            request.LANGUAGE_CODE = language
        try:
            requested_version(request)
        except ApiVersionInvalid as error:
            return json_answer(error.as_dict(), status=error.http_status)
        token = current.set_request(request)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        version = answered_version(request)
        response = older_shape(response, version)
        response[RESPONSE_HEADER] = version
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
