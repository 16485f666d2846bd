"""The error `code`s one operation can answer, for its entry in the schema.

Two sources: what every operation of its kind answers (a body can be malformed, a token
missing, a path's record absent, a key reused…), and the DomainError classes its view can
reach: the handler's code is followed through the functions, modules and classes it names
(services, selectors, access checks), as far as names resolve statically. What is found is
listed per status on the operation's error responses (`x-error-codes`); a status the code
walk finds nothing for keeps the catalogue's list for that status, so the schema never
claims less than the server may answer.
"""
from __future__ import annotations

import inspect
import types
from collections import defaultdict
from functools import cache

from pawpact.core.errors import DomainError

_DEPTH = 8
_OWN = "pawpact."


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):  # comprehensions, nested functions
            names |= _code_names(constant)
    return names


def _own(value: object) -> bool:
    return (getattr(value, "__module__", None) or getattr(value, "__name__", "")).startswith(_OWN)


def _named(function: types.FunctionType, owner: type | None) -> list[object]:
    """What a function's code names: its globals, attributes of the modules and classes it names
    (one dot deep, `services.plans.plan_version_create`), its closure, its class's methods."""
    names = _code_names(function.__code__)
    found: list[object] = []
    scopes = [function.__globals__.get(name) for name in names]
    scopes += [cell.cell_contents for cell in function.__closure__ or () if _cell_filled(cell)]
    for value in scopes:
        if value is None:
            continue
        found.append(value)
        if inspect.ismodule(value) and _own(value):
            for name in names:
                member = getattr(value, name, None)
                found.append(member)
                if inspect.ismodule(member):
                    found.extend(getattr(member, inner, None) for inner in names)
    for cls in (owner, *(value for value in scopes if inspect.isclass(value) and _own(value))):
        if cls is not None:
            found.extend(_method(cls, name) for name in names)
    return [value for value in found if value is not None]


def _cell_filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _method(cls: type, name: str) -> object | None:
    for klass in cls.__mro__:
        if name in vars(klass):
            value = vars(klass)[name]
            return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
    return None


@cache
def reachable_errors(function: types.FunctionType, owner: type | None = None) -> frozenset[type[DomainError]]:
    """The DomainError classes a view method can reach by name."""
    found: set[type[DomainError]] = set()
    seen: set[int] = set()
    stack = [(inspect.unwrap(function), owner, 0)]
    while stack:
        current, cls, depth = stack.pop()
        if id(current) in seen or depth > _DEPTH:
            continue
        seen.add(id(current))
        for value in _named(current, cls):
            if inspect.isclass(value) and issubclass(value, DomainError) and value is not DomainError:
                found.add(value)
            elif inspect.isfunction(value) and _own(value):
                stack.append((inspect.unwrap(value), None, depth + 1))
    return frozenset(found)


def operation_codes(*, view, method: str, path: str, has_body: bool, public: bool) -> dict[int, set[str]]:
    """Status → the codes this operation can answer."""
    codes: dict[int, set[str]] = defaultdict(set)
    codes[400] |= {"api_version_invalid", "unknown_parameter", "shop_from_host", "invalid"}
    codes[406].add("not_acceptable")
    if has_body:
        codes[400].add("parse_error")
        codes[415].add("unsupported_media_type")
    # A token sent is checked even where none is needed.
    codes[401] |= {"authentication_failed", "token_expired", "api_key_invalid", "api_key_wrong_mode"}
    if not public:
        codes[401].add("not_authenticated")
        codes[403].add("permission_denied")
    if "{" in path:
        codes[404].add("not_found")
    handler = getattr(type(view), method.lower(), None)
    if getattr(handler, "idempotency_required", None):
        codes[400].add("idempotency_key_required")
    if getattr(handler, "idempotency_required", None) is not None:
        codes[409].add("idempotency_key_in_use")
        codes[422].add("idempotency_key_reused")
    if getattr(view, "throttle_scope", None):
        codes[429].add("throttled")
    if inspect.isfunction(handler):
        for error in reachable_errors(handler, type(view)):
            codes[error.http_status].add(error.code)
    return codes
