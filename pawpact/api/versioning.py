"""Dated API versions, as Stripe has them: `Pawpact-Version: 2026-12-01`.

A request is answered in the version its `Pawpact-Version` header names, else in the one
its device was pinned to at sign-in, else the latest; the answer says which in its own
`Pawpact-Version` header. A version that does not exist is 400 `api_version_invalid`.

Adding a response field, an operation or an error code is not a new version. Removing or
renaming a field, or changing its type, is: such a change adds a date to `VERSIONS`, an entry
to docs/api-changelog.md and, where older versions must keep the old shape, a transform of
the answer for them (pawpact.api.version_shapes). tests/api/test_versioning.py fails when a
response shape recorded for the latest version (docs/api-versions/<date>.json) loses or
retypes a field.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from pawpact.api import current
from pawpact.core.api_versions import LATEST, VERSIONS
from pawpact.core.errors import ApiVersionInvalid

HEADER = "HTTP_PAWPACT_VERSION"
# The last version whose clients name records by their numbers (quotes, plans, plan versions,
# saved payment methods, messages, renewal offers); later ones use opaque ids
# (pawpact.api.opaque_ids).
LAST_WITH_NUMBERED_IDS = "2026-12-01"
RESPONSE_HEADER = "Pawpact-Version"


def version_valid(value: str) -> str:
    if value not in VERSIONS:
        raise ApiVersionInvalid(
            _("Unknown API version; use one of: %(versions)s.") % {"versions": ", ".join(VERSIONS)},
            fields={RESPONSE_HEADER: [_("Not a version of this API.")]},
        )
    return value


def requested_version(request) -> str | None:
    """The version a request's header names (checked), or None without the header."""
    value = request.META.get(HEADER)
    return None if value is None else version_valid(value.strip())


def answered_version(request) -> str:
    """The version a request is answered in: its header's, else its device's, else the latest.
    (The device's is left on the request by pawpact.accounts.authentication.)"""
    return requested_version(request) or getattr(request, "pawpact_pinned_version", "") or LATEST


def _shape(schema: dict) -> object:
    """What a client depends on in a response schema: types, fields, enums, not wording."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in schema:
            return {combinator: [_shape(part) for part in schema[combinator]]}
    shape: dict = {"type": schema.get("type", "object"), "nullable": bool(schema.get("nullable"))}
    if "enum" in schema:
        shape["enum"] = sorted(str(value) for value in schema["enum"])
    if "items" in schema:
        shape["items"] = _shape(schema["items"])
    if "format" in schema:
        shape["format"] = schema["format"]
    return shape


def response_shapes(schema: dict) -> dict[str, dict[str, object]]:
    """Every response component's fields and their shapes (request components excluded)."""
    components = schema.get("components", {}).get("schemas", {})
    return {
        name: {field: _shape(spec) for field, spec in sorted(component.get("properties", {}).items())}
        for name, component in sorted(components.items())
        if not name.endswith("Request") and "properties" in component
    }


def breaking_changes(recorded: dict, current: dict) -> list[str]:
    """Fields a recorded version answered that the current schema drops or retypes."""
    changes = []
    for name, fields in recorded.items():
        for field, shape in fields.items():
            now = current.get(name, {}).get(field)
            if now is None:
                changes.append(f"{name}.{field} removed")
            elif now != shape and not (isinstance(shape, dict) and isinstance(now, dict) and _only_widened(shape, now)):
                changes.append(f"{name}.{field}: {shape} -> {now}")
    return changes


def _only_widened(before: dict, after: dict) -> bool:
    """A new enum member is additive (clients must tolerate unknown values, as documented)."""
    if set(before) != set(after) or "enum" not in before:
        return False
    rest = {key for key in before if key != "enum"}
    return all(before[key] == after[key] for key in rest) and set(before["enum"]) <= set(after["enum"])


def numbers_for_ids(request=None) -> bool:
    """The request (else the one being answered) is in a version whose clients send record
    numbers where later ones send opaque ids."""
    request = request if request is not None else current.get_request()
    return request is not None and answered_version(request) <= LAST_WITH_NUMBERED_IDS
