"""A real pgbouncer (Debian's package) in transaction mode in front of the test database."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# CI installs pgbouncer (.ci/run): there a missing binary fails instead of skipping.
REQUIRED = os.environ.get("CI", "").strip().lower() in ("1", "true")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PgBouncer:
    def __init__(self, database: dict, *, pool_size: int = 1):
        self.folder = Path(tempfile.mkdtemp(prefix="pawpact-pgbouncer-"))
        self.port = _free_port()
        self.process = None
        host = database["HOST"] or "127.0.0.1"
        server = f"host={host} port={database['PORT'] or 5432} dbname={database['NAME']} user={database['USER']}"
        if database.get("PASSWORD"):
            server += f" password={database['PASSWORD']}"
        (self.folder / "users.txt").write_text(f'"{database["USER"]}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            f"[databases]\npooled = {server}\n\n[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.folder}/users.txt\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 100\n"
            f"logfile = {self.folder}/pgbouncer.log\npidfile = {self.folder}/pgbouncer.pid\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        # pgbouncer refuses to run as root; it then runs as the owner of the PostgreSQL
        # socket folder (the embedded server's user), which may read that socket.
        self.user = None
        if os.geteuid() == 0:
            owner = Path(host).stat().st_uid if host.startswith("/") else 65534
            os.chown(self.folder, owner, -1)
            for path in self.folder.iterdir():
                os.chown(path, owner, -1)
            import pwd

            self.user = pwd.getpwuid(owner).pw_name

    def start(self) -> None:
        args = [BINARY] + (["-u", self.user] if self.user else []) + [str(self.folder / "pgbouncer.ini")]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"pgbouncer did not start: {(self.folder / 'pgbouncer.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def settings_for(self, database: dict, *, transaction_pooling: bool) -> dict:
        return {**database, "HOST": "127.0.0.1", "PORT": self.port, "NAME": "pooled", "PASSWORD": "",
                "TRANSACTION_POOLING": transaction_pooling, "CONN_MAX_AGE": 60}  # fmt: skip


def pgbouncer_or_skip():
    if not Path(BINARY).exists():
        if REQUIRED:
            pytest.fail(f"CI installs pgbouncer, yet {BINARY} is missing")
        pytest.skip("pgbouncer is not installed (Debian: apt install pgbouncer)")
