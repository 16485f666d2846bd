"""Domain errors, rendered by the API's one exception handler as
{"code", "message", "fields"} with the class's HTTP status.

Services raise these; they never build HTTP responses themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class DomainError(Exception):
    # Not a ClassVar: one instance may override it with a more precise code.
    code: str = "error"
    http_status: ClassVar[int] = 400

    message: str
    fields: dict[str, list[str]]

    def __init__(
        self,
        message: str,
        *,
        fields: Mapping[str, Sequence[str] | str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # A bare string would otherwise be split into one "message" per character.
        self.fields = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in (fields or {}).items()
        }
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "fields": {name: list(messages) for name, messages in self.fields.items()},
        }


class ValidationFailed(DomainError):
    """Some fields are invalid: `fields` says which and why."""

    code = "invalid"
    http_status = 400


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The record's current state, or a request running at once, does not allow this: read it again, retry."""

    code = "conflict"
    http_status = 409


class PermissionDenied(DomainError):
    """Signed in, but this operation or record is not for you (staff only, another role, or not a customer)."""

    code = "forbidden"
    http_status = 403


class BusinessRuleViolation(DomainError):
    """Well formed, but a rule of the shop refuses it: `message` says which rule."""

    code = "rule_violation"
    http_status = 422


class ServiceUnavailable(DomainError):
    """A provider (payments, messages, a partner) did not answer or is not set up: try again later."""

    code = "unavailable"
    http_status = 503


# Here rather than in pawpact/api/errors.py: DRF imports the versioning class while
# pawpact.api.errors is still importing DRF.
class ApiVersionInvalid(ValidationFailed):
    """The `Pawpact-Version` header names no version of this API (see docs/api-changelog.md)."""

    code = "api_version_invalid"
