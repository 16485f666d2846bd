"""`./dev manage`: management commands against the checkout's embedded database."""
import os
import subprocess
import sys
from pathlib import Path

from pawpact.config.embedded import postgres_start

ROOT = Path(__file__).resolve().parents[2]


def _manage(state_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAWPACT_STATE_DIR": str(state_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pawpact.config.manage_local", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_without_a_local_database_it_says_to_run_the_platform_first(tmp_path):
    result = _manage(tmp_path, "billing_ledger_check")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"No local database in {tmp_path / 'pgdata'} yet: start the platform once with ./dev run."
    )


def test_it_reaches_the_running_local_database_and_leaves_it_running(tmp_path):
    postgres_start(tmp_path / "pgdata", database="pawpact")  # as ./dev run leaves it
    result = _manage(tmp_path, "showmigrations", "tenants")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["tenants", " [ ] 0001_initial"]
    assert (tmp_path / "pgdata" / "postmaster.pid").exists()  # still running: it was not ours to stop
