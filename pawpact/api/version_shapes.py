"""Answers in the shapes of older versions: a client pinned to a version keeps its answers'
shapes when a newer version changes them (docs/api-changelog.md). Each entry turns an answer
of the next version into one of the version named.

2026-12-15 changed: short collections from bare arrays to one-page lists; termination quotes'
ids from integers to opaque `quote_…` strings."""
from __future__ import annotations

import json

from pawpact.api.opaque_ids import pk_of

QUOTE = "quote"


def _quote_ids_as_numbers(value):
    """Termination quotes and terminations as 2026-12-01 had them: the quote's number."""
    if isinstance(value, list):
        return [_quote_ids_as_numbers(item) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: _quote_ids_as_numbers(item) for key, item in value.items()}
    field = {"termination_quote": "id", "termination": "quote_id"}.get(value.get("object"))
    if field and isinstance(value.get(field), str):
        value[field] = pk_of(QUOTE, value[field])
    return value


def to_2026_12_01(data, *, one_page: bool):
    data = _quote_ids_as_numbers(data)
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
        data = transform(data, one_page=getattr(response, "one_page", False))
    response.content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response


def quote_pk(value: str, version: str) -> int | None:
    """A termination quote's number from its id; clients of 2026-12-01 send the number itself."""
    pk = pk_of(QUOTE, value)
    if pk is None and version <= "2026-12-01" and value.isdigit() and len(value) < 19:
        return int(value)
    return pk
