"""The DRF field for opaque ids (the encoding and the type prefixes: pawpact.core.opaque_ids)."""
from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from pawpact.api.versioning import numbers_for_ids

# Re-exported: the API's modules name the codec and the prefixes from here.
from pawpact.core.opaque_ids import (  # noqa: F401
    ADVANCE,
    CALL_TASK,
    COUPON_TEMPLATE,
    DEFERRAL_COUPON,
    EVENT,
    MALL_ITEM,
    MESSAGE,
    PAID_PLAN,
    PARTNER,
    PARTNER_BOOKING,
    PAYMENT_METHOD,
    PAYOUT,
    PHOTO,
    PLAN,
    PLAN_VERSION,
    POINTS_ENTRY,
    PRODUCT,
    QUOTE,
    RENEWAL_OFFER,
    SEGMENT,
    STAFF,
    id_pattern,
    legacy_number,
    opaque_id,
    pk_of,
)


class OpaqueIdField(serializers.Field):
    """A record's opaque id: answered from its number, read back to it (400 `invalid` otherwise,
    another shop's id included: ids are keyed by the shop whose schema is in force).
    A client pinned to a version from before the ids were opaque sends the number itself."""

    default_error_messages = {"invalid": _("Not an id of this kind at this shop.")}

    def __init__(self, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return opaque_id(self.prefix, value if isinstance(value, int) else value.pk)

    def to_internal_value(self, data) -> int:
        pk = pk_of(self.prefix, data)
        if pk is None and numbers_for_ids() and not isinstance(data, str):
            pk = legacy_number(data)
        if pk is None:
            self.fail("invalid")
        return pk


def id_parameter(name: str, prefix: str, what: str) -> OpenApiParameter:
    """A path parameter holding an opaque id of one type (documented with its pattern)."""
    return OpenApiParameter(
        name, {"type": "string", "pattern": id_pattern(prefix)}, OpenApiParameter.PATH,
        # `what` is translated too (its msgids: pawpact/api/schema_texts.py).
        description=format_lazy(_("The {what}'s `id` (clients of 2026-12-01 send its number)."), what=_(what)),
    )  # fmt: skip
