"""The API request being answered, for the few checks that depend on who asks or in which
API version but run where the request is not passed (serializer fields built without a context). Set by ApiMiddleware;
DRF writes the user it authenticated back onto this request."""
from contextvars import ContextVar

_request: ContextVar = ContextVar("pawpact_api_request", default=None)


def set_request(request):
    return _request.set(request)


def reset(token) -> None:
    _request.reset(token)


def get_request():
    """The API request being answered, or None outside one."""
    return _request.get()


def asked_by_customer() -> bool:
    """True when a signed-in customer (not staff, not a server's key) makes this API request."""
    user = getattr(_request.get(), "user", None)
    return bool(user is not None and getattr(user, "is_authenticated", False) and not user.is_staff)
