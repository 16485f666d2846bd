"""Opaque ids for records the database numbers by a sequence (`quote_8Xc2kLm0Qa`): a client
sees a string with a type prefix, never the count of a shop's records nor the next one's id,
and may not do arithmetic on it (docs/api.md, "Ids").

The encoding is keyed per type and per shop: Sqids over an alphabet shuffled from the type
prefix, the schema name of the shop the record lives in and a fixed constant, with a check
number, a keyed hash of the record number, encoded beside it. With one alphabet for everything,
record 7 was `quote_X` and `plan_X` and the same in every shop, so whoever saw ids of two
types or two shops side by side could line them up and count; now each (type, shop) has its
own spelling, and an id read with another type's or another shop's key names nothing.
The check number is a keyed hash of the record number too, and fills the id so that Sqids
never pads it: with one check number per key, and padding that depends only on which of 62
rotations of the alphabet an id starts with, most letters were the same for every record of a
type in a shop and neighbours differed in one or two (issue #9); now every letter varies.
The key never rotates (a schema name never changes; SECRET_KEY is never part of it), so an
id stays the same forever. Records of the public schema (advances, payouts) are keyed by the
public schema wherever they are shown. It is still not encryption: the point is a stable,
opaque handle, and access is checked as always.

The shop is the schema in force (django-tenants sets it for requests, tenant-schemas-celery
for tasks) unless a caller names it. The encoding lives in core because ids leave the
platform from below the API too (outbound webhook events are numbered by the outbox); the
DRF field is in pawpact.api.opaque_ids."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from django.db import connection
from django_tenants.utils import get_public_schema_name
from sqids import Sqids

# A fixed shuffle of Sqids' alphabet, reshuffled per key: never derived from a secret that may
# rotate, so the same record keeps its id forever.
_ALPHABET = "kW3xLq9ZsN0bTgR7vYcH2mJfD5pQ8aKuE1rS6nVzB4wXhCiGoMyPjUAeFlIOdt"
_KEY_CONSTANT = b"pawpact opaque ids, keyed per type and shop, 2026-12-15"
MIN_LENGTH = 10
# Sqids writes a number in base 61 (its alphabet less the letter that opens the id).
_BASE = len(_ALPHABET) - 1
# The check number has at least 3 letters (223,260 values): read with another key, an id names a
# record at most about once in 223,260 (far more rarely for short record numbers, whose check
# number has more letters).
_MIN_CHECK_LETTERS = 3
# The largest number a record's id can hold (bigint): a longer id names no record.
MAX_PK = 2**63 - 1
# The longest suffix an id has (MAX_PK and its check number take 16 letters), with room to spare:
# a longer string is refused before decoding, which costs a shuffle of the alphabet per separator.
_MAX_SUFFIX = 32

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


# Records of the public schema: keyed by it even where a shop's page or task shows them.
_PUBLIC_RECORDS = frozenset({ADVANCE, PAYOUT})


def _key_schema(prefix: str, schema_name: str | None) -> str:
    if schema_name:
        return schema_name
    return get_public_schema_name() if prefix in _PUBLIC_RECORDS else connection.schema_name


# Building a Sqids costs about 0.7 ms and 40 KB (its constructor sorts its 560 blocked words
# out for the alphabet): one per key, kept for the 256 keys used last (about 10 MB; a process
# serving many shops rebuilds a key it has not used for a while).
@lru_cache(maxsize=256)
def _codec(prefix: str, schema_name: str) -> tuple[Sqids, bytes]:
    """The key's Sqids and the key its check numbers are hashed with, both from a hash of the key
    (the same in every process and Python version: no hash seed, no `random`)."""
    key = b"\0".join((_KEY_CONSTANT, prefix.encode(), schema_name.encode()))
    stream = hashlib.shake_256(key).digest(2 * len(_ALPHABET) + 32)
    letters = list(_ALPHABET)
    for i in range(len(letters) - 1, 0, -1):
        j = int.from_bytes(stream[2 * i : 2 * i + 2], "big") % (i + 1)
        letters[i], letters[j] = letters[j], letters[i]
    return Sqids(alphabet="".join(letters), min_length=MIN_LENGTH), stream[-32:]


def _check(check_key: bytes, pk: int) -> int:
    """Record `pk`'s check number: a keyed hash of it, with exactly as many letters as fill the id
    to MIN_LENGTH with the record number, its first letter and the separator, so that Sqids never
    pads it."""
    pk_letters = 1
    while pk >= _BASE**pk_letters:
        pk_letters += 1
    letters = max(_MIN_CHECK_LETTERS, MIN_LENGTH - 2 - pk_letters)
    digest = hashlib.blake2b(pk.to_bytes(8, "big"), key=check_key, digest_size=8).digest()
    return _BASE ** (letters - 1) + int.from_bytes(digest, "big") % (_BASE**letters - _BASE ** (letters - 1))


# Sqids shuffles its alphabet on every encode (0.02–0.1 ms): a list of 50 records with a plan,
# a version and a payment method each spent more on their ids than on their rows. An id
# never changes, so the answers are kept (16,384 of them: a few MB per process).
@lru_cache(maxsize=16_384)
def _encode(prefix: str, schema_name: str, pk: int) -> str:
    codec, check_key = _codec(prefix, schema_name)
    return f"{prefix}_{codec.encode([pk, _check(check_key, pk)])}"


def opaque_id(prefix: str, pk: int, *, schema_name: str | None = None) -> str:
    """Record `pk`'s id of type `prefix` in the shop `schema_name` (the schema in force)."""
    return _encode(prefix, _key_schema(prefix, schema_name), pk)


def pk_of(prefix: str, value: object, *, schema_name: str | None = None) -> int | None:
    """The record number an id of this type and shop names, or None for anything else (only
    the one canonical spelling of an id is accepted)."""
    if not isinstance(value, str) or not value.startswith(prefix + "_") or len(value) > len(prefix) + 1 + _MAX_SUFFIX:
        return None
    schema_name = _key_schema(prefix, schema_name)
    codec, check_key = _codec(prefix, schema_name)
    numbers = codec.decode(value[len(prefix) + 1 :])
    if len(numbers) != 2 or not 0 < numbers[0] <= MAX_PK or numbers[1] != _check(check_key, numbers[0]):
        return None
    return numbers[0] if _encode(prefix, schema_name, numbers[0]) == value else None


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
