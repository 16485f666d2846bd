"""Every `code` the API answers with, its HTTP status and meaning, built from the error
classes themselves (every DomainError subclass in every app's errors module) and DRF's
own codes, so the schema and docs/api.md cannot drift from what the server raises.
One code has one status: a test fails when two classes disagree."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext, gettext_noop

import pawpact
from pawpact.core.errors import DomainError


@dataclass(frozen=True, order=True)
class ErrorCode:
    status: int
    code: str
    meaning: str


# The codes DRF itself answers with (pawpact.api.errors renders them in the one shape).
FRAMEWORK_CODES = (
    ErrorCode(400, "invalid", gettext_noop("Some fields are invalid: `fields` says which and why.")),
    ErrorCode(400, "parse_error", gettext_noop("The body is not valid JSON.")),
    ErrorCode(401, "not_authenticated", gettext_noop("No `Authorization: Token …` (device) or `Bearer sk_…` (secret key) header.")),
    ErrorCode(401, "authentication_failed", gettext_noop("The token is unknown here (revoked, or another shop's).")),
    ErrorCode(403, "permission_denied", gettext_noop("Signed in, but this operation is for staff (or a staff role above yours).")),
    ErrorCode(404, "not_found", gettext_noop("No such record for you at this shop (someone else's answers the same).")),
    ErrorCode(405, "method_not_allowed", gettext_noop("This address does not take this method.")),
    ErrorCode(406, "not_acceptable", gettext_noop("No answer in the media type the `Accept` header asks for.")),
    ErrorCode(415, "unsupported_media_type", gettext_noop("Send `Content-Type: application/json` (multipart where a file is sent).")),
    ErrorCode(429, "throttled", gettext_noop("Too many attempts: wait `Retry-After` seconds.")),
)  # fmt: skip


def _error_modules() -> None:
    """Import every `<app>/errors.py`, so each DomainError subclass is defined."""
    for module in pkgutil.walk_packages(pawpact.__path__, prefix="pawpact."):
        if module.name.endswith(".errors"):
            importlib.import_module(module.name)


def _subclasses(root: type) -> list[type]:
    found = []
    for child in root.__subclasses__():
        found.append(child)
        found.extend(_subclasses(child))
    return found


def domain_error_classes() -> list[type[DomainError]]:
    """Every DomainError subclass of every app."""
    _error_modules()
    return _subclasses(DomainError)


def _meaning(error_class: type[DomainError]) -> str:
    """The class's own docstring's first paragraph, else its name in words."""
    doc = inspect.getdoc(error_class) if "__doc__" in vars(error_class) and error_class.__doc__ else ""
    if doc:
        return doc.split("\n\n")[0].replace("\n", " ")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", error_class.__name__).capitalize() + "."


@cache
def error_catalogue() -> tuple[ErrorCode, ...]:
    """One entry per code, sorted by status then code; a code's meaning is its first documented class's."""
    _error_modules()
    by_code: dict[str, ErrorCode] = {entry.code: entry for entry in FRAMEWORK_CODES}
    for error_class in sorted(_subclasses(DomainError), key=lambda cls: (cls.__module__, cls.__qualname__)):
        code, status = error_class.code, error_class.http_status
        if code not in by_code:
            by_code[code] = ErrorCode(status, code, _meaning(error_class))
    return tuple(sorted(by_code.values()))


def error_statuses() -> dict[str, set[int]]:
    """Every status each code is raised with, for the test that keeps it to one."""
    _error_modules()
    statuses: dict[str, set[int]] = {entry.code: {entry.status} for entry in FRAMEWORK_CODES}
    for error_class in _subclasses(DomainError):
        statuses.setdefault(error_class.code, set()).add(error_class.http_status)
    return statuses


def codes_for_status(status: int) -> list[str]:
    return [entry.code for entry in error_catalogue() if entry.status == status]


def catalogue_markdown(*, translated: bool = False) -> str:
    """The table in docs/api.md (a test checks the file holds exactly this); `translated`: in
    the active language, for the schema (the meanings' translations: pawpact/api/schema_texts.py)."""
    say = gettext if translated else str
    lines = [say("| status | code | meaning |"), "|---|---|---|"]
    lines += [f"| {e.status} | `{e.code}` | {say(e.meaning)} |" for e in error_catalogue()]
    return "\n".join(lines)
