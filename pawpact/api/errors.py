"""One error shape for the whole API: {"code", "message", "fields"}.

`fields` is always flat: a JSON object from a field's path to a list of readable
messages. A path joins the keys and list indexes that lead to the field with dots,
so nested input (nested objects, lists of objects, list and dict fields) reports
where each problem is without nesting the shape:

    {"entitlements": [{"kind": "food"}, "bag"]}  →  {"entitlements.1": ["Expected a dictionary…"]}
    {"lines": [{}, {"quantity": 0}]}             →  {"lines.1.quantity": ["Ensure this value…"]}
    {"address": {"city": ""}}                    →  {"address.city": ["This field may not be blank."]}

A problem with the body as a whole is under "non_field_errors"; a problem with a
nested object or list as a whole ("This list may not be empty.") is under that
object's own path ("lines"), not under "lines.non_field_errors".
"""
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from pawpact.api.versioning import answered_version
from pawpact.core.errors import (
    BusinessRuleViolation,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)


class ShopFromHostOnly(ValidationFailed):
    """A query parameter named a shop: the shop is the host called, never a parameter."""

    code = "shop_from_host"


class UnknownParameter(ValidationFailed):
    """A query parameter the operation does not take: nothing in a request is silently ignored."""

    code = "unknown_parameter"


class UnknownExpansion(ValidationFailed):
    """An `expand[]` path this operation does not offer: the message lists those it does."""

    code = "unknown_expand"


class CustomerRequired(BusinessRuleViolation):
    """Staff act on a customer's behalf and must name the customer (customers act for themselves)."""

    code = "customer_required"


class MetadataNotAllowed(PermissionDenied):
    """`metadata` is written by the shop's staff and secret keys only, never by a customer's token."""

    code = "metadata_not_allowed"


class ApiKeyNotAllowed(PermissionDenied):
    """Secret keys are made, rolled and revoked by an owner signed in on a device, not by a key."""

    code = "api_key_not_allowed"


class BadCredentials(DomainError):
    """The email and password (or the token) do not sign anyone in at this shop."""

    code = "bad_credentials"
    http_status = 401


class IdempotencyKeyRequired(ValidationFailed):
    """This operation needs an `Idempotency-Key` header."""

    code = "idempotency_key_required"

    def __init__(self):
        super().__init__(
            _("Send an Idempotency-Key header (1–255 characters) with this request."),
            fields={"Idempotency-Key": [_("This header is required.")]},
        )


class IdempotencyKeyInvalid(ValidationFailed):
    """The `Idempotency-Key` header is empty, too long or has characters other than visible ASCII."""

    code = "idempotency_key_invalid"

    def __init__(self, key: str = ""):
        if not key:
            problem = _("The Idempotency-Key header is empty.")
        elif len(key) > 255:
            problem = _("The Idempotency-Key header is %(length)s characters long; at most 255 are accepted.") % {
                "length": len(key)
            }
        else:
            problem = _("The Idempotency-Key header holds a space, a control character or a non-ASCII character.")
        super().__init__(problem, fields={"Idempotency-Key": [_("Use 1–255 visible ASCII characters.")]})


class IdempotencyKeyReused(BusinessRuleViolation):
    """The key was used before for a different request (another body, operation or record)."""

    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(
            _("This Idempotency-Key was used for a different request; use a new key for a new request."),
            fields={"Idempotency-Key": [_("Already used for a different request.")]},
        )


class IdempotencyKeyInUse(Conflict):
    """A request with this key is still being processed: retry after it finishes."""

    code = "idempotency_key_in_use"

    def __init__(self):
        super().__init__(_("A request with this Idempotency-Key is still being processed; retry in a moment."))


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return _domain_answer(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _shape(exc, context)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response.data["retry_after"] = int(exc.wait)
    return response


def _domain_answer(exc: DomainError, context) -> Response:
    """The error's answer; a caller pinned to 2026-12-01 gets the status and code that version
    answered (the transforms of pawpact.api.version_shapes reshape successful bodies only)."""
    body, answer = exc.as_dict(), exc.http_status
    before = getattr(exc, "until_2026_12_01", None)
    request = (context or {}).get("request")
    if before and request is not None and answered_version(request) <= "2026-12-01":
        answer, body["code"] = before
    return Response(body, status=answer)


def _shape(exc: exceptions.APIException, context) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        if _not_an_object(exc.detail, context):
            return {
                "code": "invalid",
                "message": _("The body must be a JSON object."),
                "fields": {api_settings.NON_FIELD_ERRORS_KEY: [_('Send a JSON object, like {"name": "Mochi"}.')]},
            }
        return {"code": "invalid", "message": _("Some fields are invalid."), "fields": _field_messages(exc.detail)}
    if isinstance(exc, exceptions.ParseError):
        # The parser's own words (a Python exception's, in English) say nothing a client can act on.
        return {"code": "parse_error", "message": _("The body is not valid JSON."), "fields": {}}
    detail = exc.detail
    code = detail.code if hasattr(detail, "code") else exc.default_code
    message = str(detail)
    if isinstance(exc, exceptions.Throttled):
        # The wait is in Retry-After and `retry_after`, not tacked on the sentence.
        message = _throttle_message(exc)
    return {"code": str(code), "message": message, "fields": {}}


def _not_an_object(detail, context) -> bool:
    """DRF's refusal of a body that is a list, a string or a number rather than an object."""
    request = (context or {}).get("request")
    body = getattr(request, "_full_data", None)
    if not isinstance(body, (list, str, int, float, bool)):
        return False
    if not isinstance(detail, dict) or set(detail) != {api_settings.NON_FIELD_ERRORS_KEY}:
        return False
    messages = detail[api_settings.NON_FIELD_ERRORS_KEY]
    return any(getattr(message, "code", None) == "invalid" for message in messages)


def _throttle_message(exc: exceptions.Throttled) -> str:
    message = str(exc.detail)
    if exc.wait is not None:
        tail = ngettext(exc.extra_detail_singular, exc.extra_detail_plural, exc.wait).format(wait=exc.wait)
        message = message.removesuffix(tail).rstrip()
    return message or str(exc.default_detail)


def field_messages(detail) -> dict[str, list[str]]:
    """DRF's nested `detail` as the flat `fields` of the error shape."""
    return _field_messages(detail)


def _field_messages(detail) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    _collect(detail, "", fields)
    return fields


def _collect(detail, path: str, fields: dict[str, list[str]]) -> None:
    """Add every message found in DRF's `detail` (dicts, lists, strings) to `fields`."""
    if isinstance(detail, dict):  # a serializer's fields, or a list/dict field's failing entries
        for key, inner in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY and path:
                _collect(inner, path, fields)
            else:
                _collect(inner, _join(path, key), fields)
    elif isinstance(detail, list):  # messages, or one entry per item of a list of objects
        for index, inner in enumerate(detail):
            if isinstance(inner, (dict, list)):
                _collect(inner, _join(path, index), fields)
            else:
                _collect(inner, path, fields)
    else:
        fields.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(detail))


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


__all__ = ["exception_handler", "status"]


class NotSigned(NotFound):
    """The agreement PDF exists once the contract is signed."""

    code = "not_signed"


class NotTerminated(NotFound):
    """The contract has no termination record: it has not ended."""

    code = "not_terminated"


class NoEvidence(NotFound):
    """The termination was recorded with a note only, no file."""

    code = "no_evidence"


def unknown_payment_method(*, until_2026_12_01: tuple[int, str]) -> NotFound:
    """The answer to a `payment_method_id` that is not the customer's (as to any unknown id in a
    body: 404 naming the field); callers pinned to 2026-12-01 get what the operation answered then."""
    error = NotFound(_("No such payment method of yours here."), fields={"payment_method_id": [_("Not one of yours.")]})
    error.until_2026_12_01 = until_2026_12_01
    return error


class UnknownShop(NotFound):
    """No shop with this id (platform API)."""

    code = "unknown_shop"


class UnknownPayout(NotFound):
    """No payout with this id for this shop (platform API)."""

    code = "unknown_payout"


# For an operation whose request names no payment method (activation, termination): a
# service's reason about the contract's method is about the request as a whole.
NO_PAYMENT_METHOD_FIELD = {"payment_method": api_settings.NON_FIELD_ERRORS_KEY}


@contextmanager
def fields_as_sent(names: dict[str, str]):
    """A service names fields as its forms do (`pet`); the API's request names them otherwise
    (`pet_uuid`): a refusal raised inside names the field the client sent."""
    try:
        yield
    except DomainError as error:
        error.fields = {names.get(name, name): messages for name, messages in error.fields.items()}
        raise
