"""Opaque ids for records the database numbers by a sequence (`quote_8Xc2kLm0Qa`): a client
sees a string with a type prefix, never the count of a shop's records nor the next one's id,
and may not do arithmetic on it (docs/api.md, "Ids"). The number inside is encoded with
Sqids, not encrypted: the point is a stable, opaque handle, access is checked as always.

The encoding lives in core because ids leave the platform from below the API too (outbound
webhook events are numbered by the outbox); the DRF field is in pawpact.api.opaque_ids."""
from __future__ import annotations

import re
from functools import lru_cache

from sqids import Sqids

# A fixed shuffle of Sqids' alphabet: the same id for the same record forever (never derived
# from a secret that may rotate).
_ALPHABET = "kW3xLq9ZsN0bTgR7vYcH2mJfD5pQ8aKuE1rS6nVzB4wXhCiGoMyPjUAeFlIOdt"
MIN_LENGTH = 10
_SQIDS = Sqids(alphabet=_ALPHABET, min_length=MIN_LENGTH)
# The largest number a record's id can hold (bigint): a longer id names no record.
MAX_PK = 2**63 - 1

# The type prefixes. A saved payment method is `paymethod_…`, not Stripe's `pm_…`: a Stripe
# token is what a client sends to attach a method, and the two must never be mistaken.
QUOTE = "quote"
PLAN = "plan"
PLAN_VERSION = "planver"
PAYMENT_METHOD = "paymethod"
MESSAGE = "msg"
RENEWAL_OFFER = "offer"
PRODUCT = "prod"
MALL_ITEM = "mallitem"
COUPON_TEMPLATE = "coupontpl"
SEGMENT = "seg"
STAFF = "staff"
PARTNER = "partner"
PARTNER_BOOKING = "pbooking"
CALL_TASK = "calltask"
DEFERRAL_COUPON = "deferral"
PAID_PLAN = "paidplan"
PHOTO = "photo"
POINTS_ENTRY = "ptsentry"
EVENT = "evt"
ADVANCE = "adv"
PAYOUT = "payout"


# Sqids shuffles its alphabet on every encode (0.1–0.2 ms): a list of 50 records with a plan,
# a version and a payment method each spent more on their ids than on their rows. An id
# never changes, so the answers are kept (16,384 of them: a few MB per process).
@lru_cache(maxsize=16_384)
def opaque_id(prefix: str, pk: int) -> str:
    return f"{prefix}_{_SQIDS.encode([pk])}"


def pk_of(prefix: str, value: object) -> int | None:
    """The record number an id of this type names, or None for anything else (only the one
    canonical spelling of an id is accepted)."""
    if not isinstance(value, str) or not value.startswith(prefix + "_"):
        return None
    numbers = _SQIDS.decode(value[len(prefix) + 1 :])
    if len(numbers) != 1 or not 0 < numbers[0] <= MAX_PK or opaque_id(prefix, numbers[0]) != value:
        return None
    return numbers[0]


def id_pattern(prefix: str) -> str:
    return rf"^{re.escape(prefix)}_[0-9A-Za-z]{{{MIN_LENGTH},}}$"


def legacy_number(value: object) -> int | None:
    """A record number as clients of versions before opaque ids send it (a JSON integer, or
    digits in a path), or None."""
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_PK:
        return value
    return None
