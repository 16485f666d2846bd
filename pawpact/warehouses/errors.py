from django.utils.translation import gettext_lazy as _

from pawpact.core.errors import Conflict, DomainError, ServiceUnavailable, ValidationFailed


class SignatureRefused(DomainError):
    """A callback or request whose signature, timestamp or nonce is not acceptable."""

    code = "bad_signature"
    http_status = 401


class WarehouseUnavailable(ServiceUnavailable):
    """The warehouse did not answer, or answered 5xx: try again later with the same ids."""

    code = "warehouse_unavailable"


class WarehouseRefused(DomainError):
    """The warehouse answered 4xx: the same request will not succeed."""

    code = "warehouse_refused"
    http_status = 422

    def __init__(self, message: str, *, status: int, remote_code: str, fields=None) -> None:
        super().__init__(message, fields=fields)
        self.status, self.remote_code = status, remote_code


class OutOfStock(Conflict):
    code = "out_of_stock"


class WarehouseInvalid(ValidationFailed):
    code = "invalid"


NOT_LINKED = _("This shop is not linked to a warehouse yet.")
