"""`Idempotency-Key` on POSTs that move money: a retried request gets the first answer.

The services are idempotent by their own keys already (nothing is charged twice);
this makes the HTTP exchange idempotent too, so a client that lost the response
sees the same status and body again. Answers are kept 24 hours in the cache,
whose keys carry the shop's schema.
"""
import functools
import hashlib

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.response import Response

from pawpact.core.errors import ValidationFailed

HEADER = "HTTP_IDEMPOTENCY_KEY"
TTL_SECONDS = 24 * 3600


def idempotent(view_method):
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER, "").strip()
        if not key or len(key) > 255:
            raise ValidationFailed(
                _("Send an Idempotency-Key header (1–255 characters) with this request."),
                fields={"Idempotency-Key": [_("This header is required.")]},
                code="idempotency_key_required",
            )
        cache_key = "idempotency:" + hashlib.sha256(f"{request.user.pk}:{request.path}:{key}".encode()).hexdigest()
        stored = cache.get(cache_key)
        if stored is not None:
            return Response(stored["data"], status=stored["status"], headers={"Idempotent-Replayed": "true"})
        response = view_method(self, request, *args, **kwargs)
        if response.status_code < 500:
            cache.set(cache_key, {"data": response.data, "status": response.status_code}, TTL_SECONDS)
        return response

    return wrapper
