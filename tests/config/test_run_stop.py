"""The run command stopped by SIGTERM stops the embedded PostgreSQL it started, even
after an earlier run was killed outright."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pawpact.config.devstack import sigterm_as_interrupt
    from pawpact.config.embedded import postgres_start

    sigterm_as_interrupt()
    postgres_start(Path(sys.argv[1]), database="stopcheck")
    try:
        print("ready", flush=True)
        time.sleep(120)
    except KeyboardInterrupt:
        sys.exit(130)
    """
)


def _start(pgdata: Path) -> subprocess.Popen:
    run = subprocess.Popen([sys.executable, "-c", SCRIPT, str(pgdata)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert run.stdout.readline().strip() == "ready"
    return run


def _postmaster(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _running(pid):
            return True
        time.sleep(0.2)
    return False


def test_sigterm_stops_the_embedded_postgres_even_after_a_killed_run(tmp_path):
    pgdata = tmp_path / "pgdata"
    killed = _start(pgdata)
    killed.kill()  # SIGKILL: no exit handler runs, its PID stays in the handle list
    killed.wait(timeout=10)
    server = _postmaster(pgdata)
    assert _running(server)
    try:
        run = _start(pgdata)
        assert _postmaster(pgdata) == server  # the running server was reused

        run.send_signal(signal.SIGTERM)

        assert run.wait(timeout=30) == 130
        assert _gone_within(server, 30)
    finally:
        if _running(server):
            os.kill(server, signal.SIGTERM)
