"""`Idempotency-Key` on POSTs that create or move something, as Stripe has it.

A retry with the same key and the same request gets the first answer again (marked
`Idempotent-Replayed: true`) without a second effect; the same key with a different
request is refused (422 `idempotency_key_reused`) rather than answered with the first
request's result; a retry that arrives while the first is still running gets 409
`idempotency_key_in_use`. Keys are scoped per credential and kept 24 hours in the
cache, whose keys carry the shop's schema. Successful answers are kept, and so is a
decline once a payment provider was asked (`rail_called` on the error): a corrected body
with that key is refused as another request, so one key never leads to two charges, and
another payment method takes a new key. Any other refusal (malformed input, a rule, a
provider that has not answered, a server error) is not kept: nothing happened, or the
service's own key asks the provider again, so a retry with the same key runs again.

The services are idempotent by their own keys already (nothing is charged twice);
this makes the HTTP exchange idempotent too.
"""
import functools
import hashlib
import json
import re

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from pawpact.api.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyInvalid,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
)
from pawpact.api.openapi import IDEMPOTENCY_KEY_PATTERN

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL_SECONDS = 24 * 3600
# How long a request may run before a retry with its key is let through; the services'
# own idempotency keys still stop a second effect.
IN_FLIGHT_SECONDS = 120
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def idempotent(view_method=None, *, required: bool = True):
    """Decorate an APIView's `post`; `required=False` honours the header when sent."""
    if view_method is None:
        return functools.partial(idempotent, required=required)

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER)
        if key is None and not required:
            return view_method(self, request, *args, **kwargs)
        if key is None:
            raise IdempotencyKeyRequired()
        if not _KEY.fullmatch(key):
            raise IdempotencyKeyInvalid(key)
        cache_key = _cache_key(request, key)
        fingerprint = _fingerprint(request)
        replay = _claim(cache_key, fingerprint)
        if replay is not None:
            return Response(replay["data"], status=replay["status"], headers={REPLAYED_HEADER: "true"})
        return _run(view_method, self, request, args, kwargs, cache_key=cache_key, fingerprint=fingerprint)

    wrapper.idempotency_required = required
    return wrapper


def _claim(cache_key: str, fingerprint: str) -> dict | None:
    """The stored answer to replay, or None once this request holds the key."""
    while not cache.add(cache_key, {"fingerprint": fingerprint, "in_flight": True}, IN_FLIGHT_SECONDS):
        stored = cache.get(cache_key)
        if stored is None:  # expired between the two calls: try to claim it again
            continue
        if stored["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused()
        if stored.get("in_flight"):
            raise IdempotencyKeyInUse()
        return stored
    return None


def _run(view_method, view, request, args, kwargs, *, cache_key: str, fingerprint: str):
    try:
        response = view_method(view, request, *args, **kwargs)
    except Exception as error:
        if not getattr(error, "rail_called", False):
            cache.delete(cache_key)
            raise
        response = view.handle_exception(error)
        return _keep(response, cache_key=cache_key, fingerprint=fingerprint)
    except BaseException:
        cache.delete(cache_key)
        raise
    if response.status_code >= 300:
        cache.delete(cache_key)
        return response
    return _keep(response, cache_key=cache_key, fingerprint=fingerprint)


def _keep(response, *, cache_key: str, fingerprint: str):
    # Kept as plain JSON values, so a replay renders exactly what the first answer did.
    plain = json.loads(json.dumps(response.data, cls=JSONEncoder))
    cache.set(cache_key, {"fingerprint": fingerprint, "status": response.status_code, "data": plain}, TTL_SECONDS)
    return response


def _cache_key(request, key: str) -> str:
    # A device keeps its scope across token refreshes: a retry after a refresh still replays.
    device = getattr(request.auth, "uuid", None)
    # A visitor without a token (e.g. applying to adopt) shares one scope: the key itself, a
    # random value only its sender knows, keeps their retries apart.
    user = getattr(request.user, "pk", None)
    credential = f"device:{device}" if device else getattr(request.auth, "key", None) or f"user:{user or 'anonymous'}"
    digest = hashlib.sha256(f"{credential}\x00{key}".encode()).hexdigest()
    return f"idempotency:{digest}"


def _fingerprint(request) -> str:
    """The same for a retry of the request, different for any other request."""
    body = {name: [_plain(value) for value in values] for name, values in _lists(request.data)}
    canonical = json.dumps([request.method, request.path, body], sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lists(data):
    if hasattr(data, "lists"):  # a form's QueryDict: every value of every name
        return list(data.lists())
    if isinstance(data, dict):
        return [(name, [value]) for name, value in data.items()]
    return [("", [data])]


def _plain(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return value
