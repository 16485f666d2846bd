"""The error `code`s one operation can answer, for its entry in the schema.

Two sources: what every operation of its kind answers (a body can be malformed, a token
missing, a path's record absent, a key reused…), and the DomainError classes its view can
reach: the handler's code is followed through the functions, modules and classes it names
(services, selectors, access checks), as far as names resolve statically. What is found is
listed per status on the operation's error responses (`x-error-codes`). Besides the project's
DomainErrors, the walk knows what Django's and DRF's own refusals answer (`get_object_or_404`
a 404 `not_found`, DRF's `PermissionDenied` a 403 `permission_denied`…), and it also walks the
view's own queryset and object lookups, which DRF's generic handlers call. A status it finds
no code for is not one the operation answers, and is left out of its responses.
"""
from __future__ import annotations

import inspect
import types
from collections import defaultdict
from functools import cache

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_list_or_404, get_object_or_404
from rest_framework import exceptions as drf_exceptions

from pawpact.core.errors import DomainError

_DEPTH = 8
_OWN = "pawpact."
# Refusals of Django's own that the API's exception handler answers with these codes.
_DJANGO = {
    id(get_object_or_404): (404, "not_found"),
    id(get_list_or_404): (404, "not_found"),
    id(Http404): (404, "not_found"),
    id(DjangoPermissionDenied): (403, "permission_denied"),
}
# The view methods DRF's generic handlers call by themselves (its `get` calls `list`, which
# calls `get_queryset`), so a code raised there is found though no handler names it.
_VIEW_HOOKS = ("get_queryset", "get_object", "filter_queryset", "perform_create", "perform_update", "perform_destroy")
# Codes of the server's own consistency checks: a client never causes them and cannot act on
# one (the request fails as a server error would), so no operation lists them.
INTERNAL_CODES = frozenset({"unbalanced_journal"})


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


def _answer(value: object) -> tuple[int, str] | None:
    """(status, code) a named error class or refusing function answers with, if it is one."""
    if id(value) in _DJANGO:
        return _DJANGO[id(value)]
    if not inspect.isclass(value):
        return None
    if issubclass(value, DomainError) and value is not DomainError:
        return value.http_status, value.code
    if issubclass(value, drf_exceptions.APIException) and value is not drf_exceptions.APIException:
        if issubclass(value, drf_exceptions.ValidationError):
            return 400, "invalid"
        return value.status_code, value.default_code
    return None


@cache
def reachable_codes(function: types.FunctionType, owner: type | None = None) -> frozenset[tuple[int, str]]:
    """(status, code) of the errors a view method can reach by name."""
    found: set[tuple[int, str]] = set()
    # Each function is walked from the shallowest depth it is reached at: marking it seen at the
    # first (possibly deeper) visit would cut its callees off by the depth limit or not depending
    # on the walk's order, which follows set iteration and so changes between processes.
    shallowest: dict[int, int] = {}
    stack = [(inspect.unwrap(function), owner, 0)]
    if owner is not None:
        hooks = (_method(owner, name) for name in _VIEW_HOOKS)
        stack += [(inspect.unwrap(hook), owner, 1) for hook in hooks if inspect.isfunction(hook) and _own(hook)]
    while stack:
        current, cls, depth = stack.pop()
        if depth > _DEPTH or shallowest.get(id(current), _DEPTH + 1) <= depth:
            continue
        shallowest[id(current)] = depth
        for value in _named(current, cls):
            answer = _answer(value)
            if answer is not None:
                found.add(answer)
            elif inspect.isfunction(value) and _own(value):
                stack.append((inspect.unwrap(value), None, depth + 1))
    return frozenset(found)


def operation_codes(
    *, view, method: str, path: str, has_body: bool, public: bool, expands: bool = False, takes_metadata: bool = False
) -> dict[int, set[str]]:
    """Status → the codes this operation can answer. `expands`: it takes `expand[]`;
    `takes_metadata`: its body has a `metadata` a customer's token may not write."""
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
        codes[400].add("idempotency_key_invalid")
        codes[409].add("idempotency_key_in_use")
        codes[422].add("idempotency_key_reused")
    if getattr(view, "throttle_scope", None):
        codes[429].add("throttled")
    if takes_metadata:
        codes[403].add("metadata_not_allowed")
    if inspect.isfunction(handler):
        for status, code in reachable_codes(handler, type(view)):
            codes[status].add(code)
    # The expansion check is shared code a handler names whether or not it offers `expand[]`.
    if not expands:
        codes[400].discard("unknown_expand")
    for names in codes.values():
        names -= INTERNAL_CODES
    return {status: names for status, names in codes.items() if names}
