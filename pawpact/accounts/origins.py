"""The web origins allowed to call a shop's API from a browser (CORS), per shop.

django-cors-headers answers the preflight and adds the headers; it asks
`origin_allowed` (its `check_request_enabled` signal) whether the calling page's origin
is one the shop's owner allowed. Nothing is allowed by default, and one shop's origins
never open another shop's API: each shop's list lives in its own schema.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from pawpact.accounts.errors import OriginInvalid, OriginLimitReached
from pawpact.accounts.models import ApiOrigin
from pawpact.core.errors import Conflict

MAX_ORIGINS = 20
API_PREFIX = "/api/v1/"
_LOCAL_HOSTS = ("localhost", "127.0.0.1")


def origin_normalize(value: str) -> str:
    """`https://h5.example.com` (lower case, no default port, no path), or OriginInvalid."""
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        parts, port = None, None
    local = parts is not None and parts.hostname in _LOCAL_HOSTS
    valid = (
        parts is not None
        and (parts.scheme == "https" or (parts.scheme == "http" and local))
        and bool(parts.hostname)
        and "*" not in raw
        and not parts.username
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )
    if not valid:
        raise OriginInvalid(
            _("Name an origin such as https://h5.example.com (http only for localhost), without a path."),
            fields={"origin": [_("Not a web origin.")]},
        )
    default_port = {"https": 443, "http": 80}[parts.scheme]
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{suffix}"


def api_origin_list() -> QuerySet[ApiOrigin]:
    return ApiOrigin.objects.order_by("-id")


def api_origin_add(*, origin: str) -> ApiOrigin:
    normalized = origin_normalize(origin)
    with transaction.atomic():
        # The rows themselves are locked (FOR UPDATE takes no aggregate): two owners' tabs adding at once count in turn.
        if len(ApiOrigin.objects.select_for_update().values_list("id", flat=True)) >= MAX_ORIGINS:
            raise OriginLimitReached(_("This shop allows %(max)d origins at most: remove one first.") % {"max": MAX_ORIGINS})
        try:
            with transaction.atomic():
                return ApiOrigin.objects.create(origin=normalized)
        except IntegrityError:
            raise Conflict(_("This origin is allowed already."), fields={"origin": [_("Already allowed.")]}) from None


def api_origin_remove(*, api_origin: ApiOrigin) -> None:
    with transaction.atomic():
        api_origin.delete()


def origin_allowed(sender, request, **kwargs) -> bool:
    """django-cors-headers' question: may this page's origin call this shop's API?"""
    origin = request.headers.get("origin", "")
    # The signal opens any address it answers yes for: only the API, never the shop's pages.
    if not request.path_info.startswith(API_PREFIX) or connection.schema_name == get_public_schema_name() or not origin:
        return False
    return ApiOrigin.objects.filter(origin=origin.lower()).exists()
