"""What one checkout keeps for itself in `.pawpact/` (never committed): the embedded
database, uploaded files, and secrets generated on the first run, so that no two
installations share a key or a password that is written in the repository.

Imported by the settings and by the run command before Django is set up: standard
library only.
"""
import os
import secrets
from collections.abc import Callable
from pathlib import Path

# PAWPACT_STATE_DIR moves it elsewhere (tests do, to leave the checkout's alone).
STATE_DIR = Path(os.environ.get("PAWPACT_STATE_DIR") or Path(__file__).resolve().parents[2] / ".pawpact")
SECRET_KEY_FILE = "secret-key"
# The password of every demo login (pawpact.config.demo_login); its presence means demo logins were made.
DEMO_PASSWORD_FILE = "demo-password"


def secret_read_or_create(path: Path, make: Callable[[], str]) -> tuple[str, bool]:
    """The value kept in `path`, or a new one from `make()` written there (owner-only).

    Returns (value, created). Processes starting at the same moment (web workers,
    worker, beat) agree on one value: the file appears complete or not at all.
    """
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        value = ""
    if value:
        return value, False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    try:
        os.link(draft, path)  # fails if another process got there first; theirs wins
    except FileExistsError:
        value = path.read_text(encoding="utf-8").strip()
        if not value:
            raise RuntimeError(f"{path} is empty: delete it and a new value is generated") from None
        return value, False
    finally:
        draft.unlink()
    return value, True


def secret_key_get(state_dir: Path = STATE_DIR) -> str:
    """This checkout's Django secret key, generated on first use."""
    value, _created = secret_read_or_create(state_dir / SECRET_KEY_FILE, lambda: secrets.token_urlsafe(50))
    return value
