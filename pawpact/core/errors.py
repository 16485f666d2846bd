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
    code = "invalid"
    http_status = 400


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class BusinessRuleViolation(DomainError):
    code = "rule_violation"
    http_status = 422


class ServiceUnavailable(DomainError):
    code = "unavailable"
    http_status = 503


# Here rather than in pawpact/api/errors.py: DRF imports the versioning class while
# pawpact.api.errors is still importing DRF.
class ApiVersionInvalid(ValidationFailed):
    """The `Pawpact-Version` header names no version of this API (see docs/api-changelog.md)."""

    code = "api_version_invalid"
