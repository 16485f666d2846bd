"""Why a connectivity check or a catalog import came out as it did, in the language of
whoever looks: the row keeps a code and its parameters, and the words are chosen when the
page is shown (a check run by a Chinese-speaking admin reads in English to an English one).
A warehouse's own refusal text is its own and is shown as it sent it."""
from __future__ import annotations

from django.utils.translation import gettext_noop

from pawpact.core.reasons import Reasons
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable

CHECK_PASSED = "passed"
SIGNATURE_REFUSED = "signature_refused"
REFUSED = "refused"
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
SERVER_ERROR = "server_error"

WORDS = {
    CHECK_PASSED: gettext_noop("Reachable; signatures accepted; %(skus)s SKUs."),
    SIGNATURE_REFUSED: gettext_noop("The warehouse refused our signature: check the key id and the shared secret."),
    REFUSED: gettext_noop("Refused (HTTP %(status)s): %(message)s"),
    TIMEOUT: gettext_noop("The warehouse did not answer in time (timeout)."),
    UNREACHABLE: gettext_noop("The warehouse could not be reached: %(error)s"),
    SERVER_ERROR: gettext_noop("The warehouse is not answering for now (HTTP %(status)s)."),
}
REASONS = Reasons(WORDS, kind="warehouse reason", defaults={"skus": "?", "status": "?", "message": "", "error": "?"})


def reason_of(error: WarehouseRefused | WarehouseUnavailable) -> tuple[str, dict]:
    """(code, params) recorded for a failed call."""
    if isinstance(error, WarehouseRefused):
        if error.status == 401:
            return SIGNATURE_REFUSED, {}
        return REFUSED, {"status": error.status, "message": error.message[:200]}
    return error.reason, dict(error.params)


def reason_text(code: str, params: dict | None, *, said: str = "") -> str:
    """The reason worded in the active language; `said` (the text recorded at the time) for a
    row kept without a code, or with one this release cannot word."""
    return REASONS.text(code, params, said=said) if code else said
