"""Why a connectivity check or a catalog import came out as it did, in the language of
whoever looks: the row keeps a code and its parameters, and the words are chosen when the
page is shown (a check run by a Chinese-speaking admin reads in English to an English one).
A warehouse's own refusal text is its own and is shown as it sent it."""
from __future__ import annotations

from django.utils.translation import gettext as _

from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable

CHECK_PASSED = "passed"
SIGNATURE_REFUSED = "signature_refused"
REFUSED = "refused"
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
SERVER_ERROR = "server_error"


def reason_of(error: WarehouseRefused | WarehouseUnavailable) -> tuple[str, dict]:
    """(code, params) recorded for a failed call."""
    if isinstance(error, WarehouseRefused):
        if error.status == 401:
            return SIGNATURE_REFUSED, {}
        return REFUSED, {"status": error.status, "message": error.message[:200]}
    return error.reason, dict(error.params)


def reason_text(code: str, params: dict | None) -> str:
    """The reason worded in the active language ("" for no code)."""
    params = params or {}
    words = {
        CHECK_PASSED: lambda: _("Reachable; signatures accepted; %(n)s SKUs.") % {"n": params.get("skus", "?")},
        SIGNATURE_REFUSED: lambda: _("The warehouse refused our signature: check the key id and the shared secret."),
        REFUSED: lambda: _("Refused (HTTP %(status)s): %(message)s") % {"status": params.get("status", "?"),
                                                                          "message": params.get("message", "")},
        TIMEOUT: lambda: _("The warehouse did not answer in time (timeout)."),
        UNREACHABLE: lambda: _("The warehouse could not be reached: %(error)s") % {"error": params.get("error", "?")},
        SERVER_ERROR: lambda: _("The warehouse answered %(status)s.") % {"status": params.get("status", "?")},
    }  # fmt: skip
    worded = words.get(code)
    return worded() if worded else ""
