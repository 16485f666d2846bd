"""What a visitor sees when a request fails: on the public site and on every shop's
host, a page in their language with the way back home and the usual language switch;
under /api/, the API's one error shape {"code", "message", "fields"}, whatever the path
(unknown ones and ones no route can match, such as an encoded newline, included).

Rendered without context processors: a 500 may come from the very database or
session a processor would read.
"""
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pawpact.api.middleware import api_language
from pawpact.core.http import is_api_path, json_answer
from pawpact.core.links import site_url


class ErrorText(NamedTuple):
    code: str  # the API's code
    message: str  # the API's message
    title: str  # the page's
    text: str


ERRORS = {
    400: ErrorText("bad_request", _("Bad request."), _("Bad request"), _(
        "The address or the form that was sent could not be understood. Please go back and try again."
    )),
    403: ErrorText("permission_denied", _("You do not have permission to do this."), _("No access"), _(
        "You do not have access to this page. Log in with another account, or go back to the home page."
    )),
    404: ErrorText("not_found", _("Not found."), _("Page not found"), _(
        "There is no page at this address. It may have moved, or the address may have a typo."
    )),
    500: ErrorText("server_error", _("Something went wrong on our side. Please try again later."),
                   _("Something went wrong"), _("Sorry, something went wrong on our side. Please try again in a moment.")),
}  # fmt: skip


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def _request_language(request) -> str:
    if is_api_path(request.path):
        return api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    return translation.get_language_from_request(request)


def error_response(request, status: int) -> HttpResponse:
    # LocaleMiddleware has not run when the host itself was refused; ask the request. The API
    # answers in English unless Accept-Language asks otherwise, even on a host that is no shop.
    language = getattr(request, "LANGUAGE_CODE", None) or _request_language(request)
    with translation.override(language):
        error = ERRORS[status]
        if is_api_path(request.path):
            return json_answer({"code": error.code, "message": str(error.message), "fields": {}}, status=status)
        shop = getattr(request, "tenant", None)
        context = {
            # An unknown host has no home of its own: its way back is the public site.
            "home_url": "/" if shop is not None else site_url(settings.PAWPACT_BASE_DOMAIN),
            "request": request,
            "csrf_token": get_token(request),
            "shop": None if shop is None or shop.is_platform else shop,
            "status": status,
            "title": str(error.title),
            "text": str(error.text),
        }
        return HttpResponse(render_to_string("errors/error.html", context), status=status)
