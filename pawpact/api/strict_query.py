"""Nothing in a query string is silently ignored: a parameter the operation does not
document answers 400 `unknown_parameter`, and one that would name a shop (`shop`,
`tenant`, ...) 400 `shop_from_host` (the shop is the host called, never a parameter).

What each operation documents is read from the API's own schema (built once per process
and URL configuration, at start-up in a web process), so the check and the docs cannot disagree.
"""
from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.generators import SchemaGenerator

from pawpact.api.errors import ShopFromHostOnly, UnknownParameter
from pawpact.core.http import json_answer

API_PREFIX = "/api/"
# Query parameters that would name a shop.
SHOP_PARAMETERS = frozenset({"shop", "shop_id", "shop_slug", "schema", "schema_name", "tenant", "tenant_id"})
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
# The deepObject parameters (`metadata[key]=value`): sent under their name with a key in brackets.
_DEEP_OBJECT = re.compile(r"^(metadata)\[.*\]$")


@cache
def documented_query_parameters(urlconf: str) -> dict[tuple[str, str], frozenset[str]]:
    """(path template, METHOD) → the query parameters its operation documents."""
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    documented = {}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            documented[(path, method.upper())] = frozenset(names)
    return documented


class _Discard(Exception):
    pass


def schemas_build() -> None:
    """Build what the check reads for both URL configurations now: a web process calls this at
    start-up (pawpact.config.wsgi), so no worker's first API request waits seconds for it.

    The generator asks some views for their querysets, which may fail outside a shop's schema;
    inside a transaction that is rolled back, such a failure leaves no broken connection behind."""
    try:
        with transaction.atomic():
            for urlconf in {settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF}:
                documented_query_parameters(urlconf)
            raise _Discard
    except _Discard:
        pass
    # No database yet, or none allowed here (a test run importing the WSGI module): the
    # schemas need none.
    except (DatabaseError, RuntimeError):
        for urlconf in {settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF}:
            documented_query_parameters(urlconf)


def _template(route: str) -> str:
    return "/" + _CONVERTER.sub(r"{\1}", route)


def query_refusal(request) -> ShopFromHostOnly | UnknownParameter | None:
    """What is wrong with the request's query string for its operation, or None."""
    names = set(request.GET)
    if not names or request.resolver_match is None:
        return None
    shop_names = sorted(names & SHOP_PARAMETERS)
    if shop_names:
        return ShopFromHostOnly(
            _("The shop is the host you call; a shop cannot be chosen with a parameter."),
            fields={name: [_("Not accepted.")] for name in shop_names},
        )
    method = "GET" if request.method == "HEAD" else request.method
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    allowed = documented_query_parameters(urlconf).get((_template(request.resolver_match.route), method))
    if allowed is None:  # not an operation of the schema (the docs, the schema, the JSON 404)
        return None
    unknown = sorted(name for name in names - allowed if _DEEP_OBJECT.sub(r"\1", name) not in allowed)
    if not unknown:
        return None
    accepted = ", ".join(sorted(allowed)) or _("none")
    return UnknownParameter(
        _("Unknown query parameter. This operation accepts: %(names)s.") % {"names": accepted},
        fields={name: [_("Not a parameter of this operation.")] for name in unknown},
    )


class StrictQueryMiddleware:
    """Refuses an API request whose query string the operation would ignore."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(API_PREFIX):
            return None
        refusal = query_refusal(request)
        if refusal is None:
            return None
        return json_answer(refusal.as_dict(), status=refusal.http_status)
