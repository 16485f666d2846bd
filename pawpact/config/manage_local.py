"""`./dev manage <command> [args]`: a management command (the ledger checks, say) against
this checkout's embedded database, which `./dev run` made.

With DATABASE_URL set it is plain `manage.py`. Otherwise it uses .pawpact/pgdata: a
server that `./dev run` is running is left running; one started here stops on exit.
"""
import os
import sys

from django.core.management import execute_from_command_line

from pawpact.config.embedded import postgres_start
from pawpact.config.local_state import STATE_DIR


def main(argv: list[str]) -> int:
    if not os.environ.get("DATABASE_URL"):
        pgdata = STATE_DIR / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            print(f"No local database in {pgdata} yet: start the platform once with ./dev run.", file=sys.stderr)
            return 1
        running = (pgdata / "postmaster.pid").exists()
        os.environ["DATABASE_URL"] = postgres_start(pgdata, database="pawpact", leave_running=running)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")
    execute_from_command_line(["manage.py", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
