"""The run command on a machine with no Redis (forced with PAWPACT_NO_BUNDLED_REDIS=1):
it says so, serves a healthy shop API, and beat's tasks reach the worker through the
PostgreSQL broker. It runs on a fresh database of the test server, so a developer's
.pawpact/ data and running stack are never touched."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from pawpact.config.services_select import HIDE_LOCAL_REDIS

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300  # a first start migrates and loads the demo shops
BEAT_TIMEOUT = 150  # the per-minute jobs fire on the next whole minute after beat starts


@pytest.fixture
def fresh_database_url(django_db_setup):
    db = settings.DATABASES["default"]
    name = f"pawpact_devstack_{uuid.uuid4().hex[:8]}"
    admin = {"host": db["HOST"], "user": db["USER"], "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{db['USER']}@{db['HOST'].replace('/', '%2F')}/{name}"
    yield url
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_run_command_without_redis_serves_the_api_and_runs_beats_tasks(fresh_database_url, tmp_path):
    port, log, gateways_port = _free_port(), tmp_path / "devstack.log", _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        HIDE_LOCAL_REDIS: "1", "DATABASE_URL": fresh_database_url, "PAWPACT_SPARE_SCHEMAS": "3",
        # The port as the run command will take it from the environment.
        "PAWPACT_PORT": str(port), "PAWPACT_BIND": f"127.0.0.1:{port}", "PAWPACT_GATEWAYS_PORT": str(gateways_port),
        "PAWPACT_STATE_DIR": str(tmp_path / "state"),
    })  # fmt: skip
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "PAWPACT_PLATFORM_ALIPAY_APP_ID",
                 "PAWPACT_ALIPAY_TEST_GATEWAY", "PAWPACT_WECHAT_TEST_GATEWAY"):  # fmt: skip
        env.pop(name, None)
    command = [sys.executable, "-m", "tests.config.devstack_isolated", str(port), str(tmp_path / "beat-schedule")]
    with log.open("w") as output:
        stack = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        health = _wait_for_health(stack, port, log)
        assert health == {"object": "health", "status": "ok", "shop": "happy-paws", "database": True}
        assert "No Redis (hidden by PAWPACT_NO_BUNDLED_REDIS): Celery and the cache run on PostgreSQL." in log.read_text()
        # The fake Alipay, WeChat Pay and Stripe answer where the platform's settings point.
        assert _wait_for(stack, log, 60, r"Fake Alipay on (http://127\.0\.0\.1:\d+/gateway\.do)") == (
            f"http://127.0.0.1:{gateways_port}/gateway.do")  # fmt: skip
        task_id = _wait_for(stack, log, BEAT_TIMEOUT, r"Task tenants\.spare_schemas_fill\[([0-9a-f-]+)\] succeeded")
        assert "Sending due task tenants-spare-schemas (tenants.spare_schemas_fill)" in log.read_text()
    finally:
        children = [int(pid) for pid in re.findall(r"\w+ started \(pid=(\d+)\)", log.read_text())]
        _stop(stack, children)
    with psycopg.connect(fresh_database_url.replace("postgres://", "postgresql://")) as db:
        # The task went through the broker's table in this database, and did its work.
        sent = db.execute("SELECT count(*) FROM kombu_message WHERE payload LIKE %s", (f"%{task_id}%",)).fetchone()
        spares = db.execute("SELECT count(*) FROM tenants_spareschema").fetchone()
    assert sent == (1,)
    assert spares == (3,)
    assert len(children) == 5, log.read_text()  # web, worker, beat, the sandbox warehouse, the fake providers
    assert not [pid for pid in children if _alive(pid)], "Ctrl-C left processes running"


def _wait_for_health(stack: subprocess.Popen, port: int, log: Path) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/health", headers={"Host": f"happy-paws.localhost:{port}"}
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert stack.poll() is None, "the run command stopped:\n" + log.read_text()[-5000:]
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.load(response)
        except OSError:
            time.sleep(1)
    pytest.fail(f"no healthy API on port {port} after {START_TIMEOUT} s:\n" + log.read_text()[-5000:])


def _wait_for(stack: subprocess.Popen, log: Path, timeout: float, pattern: str) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(pattern, log.read_text()):
            return found.group(1)
        assert stack.poll() is None, "the run command stopped:\n" + log.read_text()[-5000:]
        time.sleep(1)
    pytest.fail(f"{pattern!r} not seen after {timeout} s:\n" + log.read_text()[-5000:])


def _stop(stack: subprocess.Popen, children: list[int]) -> None:
    """Ctrl-C, as a developer stops it; only if that fails, kill what it started, by PID."""
    stack.send_signal(signal.SIGINT)
    try:
        stack.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in [stack.pid, *children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        stack.wait(timeout=10)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        # A zombie has exited and only waits for its parent to collect it.
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except FileNotFoundError:
        return False
