"""Why a statement import failed, in the language of whoever looks: the import keeps the
error's code, and a reason the platform words itself (missing credentials: the import names
its provider and mode) is worded when shown; a provider's own answer is shown as recorded."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pawpact.core.errors import DomainError
from pawpact.core.reasons import Reasons
from pawpact.platform.models import StatementImport
from pawpact.tenants.enums import Provider

CREDENTIALS_MISSING = "credentials_missing"

# Only the reasons the platform words; any other code is a provider's, shown as it answered.
WORDS = {
    CREDENTIALS_MISSING: gettext_noop("The shop has no verified %(provider)s credentials for %(mode)s."),
}
IMPORT_FAILURES = Reasons(WORDS, kind="statement import failure", defaults={"provider": "", "mode": ""})


def import_failure_fields(error: DomainError) -> dict[str, str]:
    """What a failed import records of its error: the code to word it by, and its text as said."""
    return {"error": error.message, "error_code": error.code or ""}


def import_failure_reason(row: StatementImport) -> str:
    """The failure reason, worded in the active language where the platform words it."""
    if row.error_code not in IMPORT_FAILURES:
        return row.error
    provider = Provider(row.provider).label if row.provider in Provider.values else row.provider
    mode = _("live mode") if row.livemode else _("test mode")
    return IMPORT_FAILURES.text(row.error_code, {"provider": provider, "mode": mode})


def import_needs_credentials(row: StatementImport) -> bool:
    """Whether the shop's credentials are what the import lacks (the page then links to them)."""
    return row.error_code == CREDENTIALS_MISSING
