"""One error shape for the whole API: {"code", "message", "fields"}."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pawpact.core.errors import DomainError, ValidationFailed


class ShopFromHostOnly(ValidationFailed):
    """A query parameter named a shop: the shop is the host called, never a parameter."""

    code = "shop_from_host"


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _shape(exc, response.status_code)
    return response


def _shape(exc: exceptions.APIException, status_code: int) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        return {"code": "invalid", "message": _("Some fields are invalid."), "fields": _field_messages(exc.detail)}
    detail = exc.detail
    code = detail.code if hasattr(detail, "code") else exc.default_code
    return {"code": str(code), "message": str(detail), "fields": {}}


def _field_messages(detail) -> dict[str, list[str]]:
    if isinstance(detail, list):
        return {"non_field_errors": [str(message) for message in detail]}
    return {
        field: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for field, messages in detail.items()
    }


__all__ = ["exception_handler", "status"]
