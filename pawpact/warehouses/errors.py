from django.utils.translation import gettext_lazy as _

from pawpact.core.errors import Conflict, DomainError, ServiceUnavailable, ValidationFailed


class SignatureRefused(DomainError):
    """A callback or request whose signature, timestamp or nonce is not acceptable."""

    code = "bad_signature"
    http_status = 401


class WarehouseUnavailable(ServiceUnavailable):
    """The warehouse did not answer, or answered 5xx: try again later with the same ids."""

    code = "warehouse_unavailable"

    def __init__(self, message: str, *, reason: str = "unreachable", params: dict | None = None) -> None:
        super().__init__(message)
        # What went wrong as a code and its parameters (pawpact.warehouses.reasons words them).
        self.reason, self.params = reason, params or {}


class WarehouseRefused(DomainError):
    """The warehouse answered 4xx: the same request will not succeed."""

    code = "warehouse_refused"
    http_status = 422

    def __init__(self, message: str, *, status: int, remote_code: str, fields=None) -> None:
        super().__init__(message, fields=fields)
        self.status, self.remote_code = status, remote_code


class OutOfStock(Conflict):
    """The warehouse has fewer in stock than asked for: nothing was reserved."""

    code = "out_of_stock"


class WarehouseInvalid(ValidationFailed):
    code = "invalid"


NOT_LINKED = _("This shop is not linked to a warehouse yet.")


class UnsignedRequest(SignatureRefused):
    """The request has no (or an incomplete) signature."""

    code = "unsigned"


class StaleTimestamp(SignatureRefused):
    """The signed timestamp is not a number or more than five minutes off."""

    code = "stale_timestamp"


class ReplayedRequest(SignatureRefused):
    """This signed request (its nonce) was received before."""

    code = "replayed"
