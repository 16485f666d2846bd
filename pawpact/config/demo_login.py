"""The password of the demo logins: generated on the first run, printed once, kept in
`.pawpact/demo-password`, so no two installations share one.

Earlier versions gave every installation the same published password; where a demo
login still has it, the first run of this version replaces it.
"""
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context

from pawpact.accounts.models import User
from pawpact.config.local_state import DEMO_PASSWORD_FILE, secret_read_or_create

LEGACY_PASSWORD = "pawpact-demo"
# Letters and digits that cannot be mistaken for one another when read off a terminal.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_password_path() -> Path:
    return Path(settings.PAWPACT_STATE_DIR) / DEMO_PASSWORD_FILE


def demo_password_make() -> str:
    """Three groups of four (about 59 bits), easy to type: `k7qm-x2pd-9fzr`."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))


def demo_password() -> str:
    """The demo logins' password, generated on first use."""
    value, _created = secret_read_or_create(demo_password_path(), demo_password_make)
    return value


def demo_logins_legacy_replace(*, logins: Mapping[str | None, Iterable[str]], password: str) -> int:
    """Give `password` to every listed login that still has the old shared one.

    `logins` maps a schema (None: the public one) to the emails of its demo logins.
    Returns how many logins changed.
    """
    changed = 0
    for schema, emails in logins.items():
        with schema_context(schema or get_public_schema_name()):
            for user in User.objects.filter(email__in=list(emails)):
                if user.check_password(LEGACY_PASSWORD):
                    user.set_password(password)
                    user.save(update_fields=["password"])
                    changed += 1
    return changed
