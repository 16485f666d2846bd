"""Answers in the shapes of older versions: a client pinned to a version keeps its answers'
shapes when a newer version changes them (docs/api-changelog.md). Each entry turns an answer
of the next version into one of the version named.

2026-12-15 changed: short collections from bare arrays to one-page lists; the ids of every
resource the database numbers (termination quotes, plans and their versions, saved payment
methods, messages, renewal offers, products, mall items, coupon templates, segments, staff,
partners and their bookings, call tasks, deferral coupons, membership plans, pet photos,
points entries; on the platform API advances and payouts) from integers to opaque strings (pawpact.core.opaque_ids), in answers and in
the `*_id` fields and paths that name them; every sign-in and refresh from its own object to one
`token` object with `customer` and `registered` (pawpact.api.sign_in)."""
from __future__ import annotations

import json

from pawpact.api.sign_in import CUSTOMER_REGISTERED, PHONE_SIGN_IN, TOKEN
from pawpact.api.versioning import LAST_WITH_NUMBERED_IDS, numbers_for_ids
from pawpact.core.opaque_ids import (
    ADVANCE,
    CALL_TASK,
    COUPON_TEMPLATE,
    DEFERRAL_COUPON,
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
    legacy_number,
    pk_of,
)

# Resource type → its fields that 2026-12-01 answered as record numbers, with their id type
# (or, for a field holding objects without a type of their own, the same rules for them).
NUMBERED_IN_2026_12_01 = {
    "termination_quote": {"id": QUOTE},
    "termination": {"quote_id": QUOTE},
    "plan": {"id": PLAN},
    "plan_version": {"id": PLAN_VERSION},
    "payment_method": {"id": PAYMENT_METHOD},
    "contract": {"payment_method_id": PAYMENT_METHOD},
    "membership": {"payment_method_id": PAYMENT_METHOD},
    "message": {"id": MESSAGE},
    "renewal_offer": {"id": RENEWAL_OFFER},
    "product": {"id": PRODUCT},
    "cart": {"lines": {"product_id": PRODUCT}},
    "order": {"lines": {"product_id": PRODUCT}},
    "mall_item": {"id": MALL_ITEM},
    "redemption": {"item_id": MALL_ITEM},
    "coupon_template": {"id": COUPON_TEMPLATE},
    "segment": {"id": SEGMENT},
    "campaign": {"segment_id": SEGMENT, "template_id": COUPON_TEMPLATE},
    "staff": {"id": STAFF},
    "partner": {"id": PARTNER},
    "nearby_clinic": {"id": PARTNER},
    "partner_booking": {"id": PARTNER_BOOKING, "partner_id": PARTNER},
    "call_task": {"id": CALL_TASK},
    "deferral_coupon": {"id": DEFERRAL_COUPON},
    "membership_plan": {"id": PAID_PLAN},
    "pet_archive": {"photos": {"id": PHOTO}},
    "points_entry": {"id": POINTS_ENTRY},
    "advance": {"id": ADVANCE, "payout": PAYOUT},
    "payout": {"id": PAYOUT},
}


def _ids_as_numbers(value):
    """Every resource in the answer with the record numbers 2026-12-01 had for its ids."""
    if isinstance(value, list):
        return [_ids_as_numbers(item) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: _ids_as_numbers(item) for key, item in value.items()}
    _renumber(value, NUMBERED_IN_2026_12_01.get(value.get("object"), {}))
    return value


def _renumber(value: dict, rules: dict) -> None:
    for field, rule in rules.items():
        inner = value.get(field)
        if isinstance(rule, str):
            if isinstance(inner, str):
                value[field] = pk_of(rule, inner)
            continue
        for item in inner if isinstance(inner, list) else [inner]:
            if isinstance(item, dict):
                _renumber(item, rule)


_TOKEN_PAIR = ("token", "token_expires_at", "refresh_token", "refresh_expires_at", "device_id")


def _sign_in_as_before(data: dict, answered_as: str) -> dict:
    """A sign-in's answer as 2026-12-01 gave it: the phone sign-in and the registration had
    objects of their own (`created` was `registered`), the others the token pair alone."""
    pair = {key: data[key] for key in _TOKEN_PAIR}
    if answered_as == PHONE_SIGN_IN:
        return {"object": PHONE_SIGN_IN, **pair, "customer": data["customer"], "created": data["registered"]}
    if answered_as == CUSTOMER_REGISTERED:
        return {"object": CUSTOMER_REGISTERED, "customer": data["customer"], **pair}
    return {"object": TOKEN, **pair}


def to_2026_12_01(data, *, one_page: bool, sign_in_answered_as: str = ""):
    if sign_in_answered_as and isinstance(data, dict) and data.get("object") == TOKEN:
        return _sign_in_as_before(data, sign_in_answered_as)
    data = _ids_as_numbers(data)
    return data["results"] if one_page and isinstance(data, dict) else data


# Version → the transform from the version after it.
DOWNGRADES = (("2026-12-01", to_2026_12_01),)


def older_shape(response, version: str):
    """The response, its body re-shaped for `version` if a later version changed it."""
    data = getattr(response, "data", None)
    steps = [transform for older, transform in reversed(DOWNGRADES) if version <= older]
    if data is None or not steps or not 200 <= response.status_code < 300:
        return response
    for transform in steps:
        data = transform(data, one_page=getattr(response, "one_page", False),
                         sign_in_answered_as=getattr(response, "sign_in_answered_as", ""))
    response.content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response


def path_pk(prefix: str, value: str, request) -> int | None:
    """The record number a path's id names; clients of 2026-12-01 send the number itself."""
    pk = pk_of(prefix, value)
    if pk is None and numbers_for_ids(request):
        return legacy_number(value)
    return pk


def quote_pk(value: str, version: str) -> int | None:
    """A termination quote's number from its id; clients of 2026-12-01 send the number itself."""
    pk = pk_of(QUOTE, value)
    if pk is None and version <= LAST_WITH_NUMBERED_IDS:
        return legacy_number(value)
    return pk
