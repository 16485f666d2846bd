"""The run command: the whole platform in one terminal.

Without DATABASE_URL / REDIS_URL it starts the embedded PostgreSQL (data kept in
.pawpact/pgdata, reused on the next start) and a private Redis where it can; then it runs the
Procfile's `release` step, loads the demo data on the first run, and supervises
web, worker and beat. Ctrl-C stops all of them, and the servers it started.

The web server listens on 127.0.0.1:8000 unless asked otherwise (PAWPACT_PORT,
PAWPACT_BIND or --bind), since the demo data has logins; DEBUG stays off unless
PAWPACT_DEBUG=1.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager

from pawpact.config.dev_ready import announce_then_run, manage, step
from pawpact.config.embedded import postgres_start
from pawpact.config.listen import ListenAddress, ListenAddressInvalid, listen_address, listen_problem
from pawpact.config.local_gateways import local_gateway_env
from pawpact.config.local_state import DEMO_PASSWORD_FILE, STATE_DIR, secret_key_get, secret_read_or_create
from pawpact.config.log_zone import log_zone_align
from pawpact.config.services_select import broker_and_cache_start

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "deploy" / "Procfile"
LONG_RUNNING = ("web", "worker", "beat", "warehouse")
# Started too when the test platform talks to the local fake providers (pawpact.config.local_gateways).
GATEWAYS = "gateways"


def procfile_commands() -> dict[str, str]:
    return dict(parse_procfile(PROCFILE.read_text()).processes)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./dev run", description="Run the whole platform in this terminal.")
    parser.add_argument(
        "--bind",
        metavar="ADDRESS",
        help="where the web server listens, e.g. 0.0.0.0:8000 to let other machines in "
        "(default: PAWPACT_BIND, else 127.0.0.1 on PAWPACT_PORT, default 8000)",
    )
    return parser.parse_args(argv)


def exposure_warnings(address: ListenAddress, environ: dict[str, str], state_dir: Path = STATE_DIR) -> list[str]:
    """What to tell someone whose server other machines can reach."""
    if address.is_loopback:
        return []
    warnings = []
    if (state_dir / DEMO_PASSWORD_FILE).exists():
        warnings.append(
            f"Warning: listening on {address.bind}: anyone who can reach this machine on port "
            f"{address.port} can try the demo logins, the platform admin's included."
        )
    return warnings


def exposure_refusal(address: ListenAddress, environ: dict[str, str]) -> str | None:
    """Why the run command will not start: debug pages (settings, source code) are never
    served to other machines."""
    if not address.is_loopback and environ.get("PAWPACT_DEBUG", "").strip() == "1":
        return (
            f"PAWPACT_DEBUG=1 is for this machine only: it shows settings and source code to every visitor. "
            f"Unset it, or listen on 127.0.0.1 instead of {address.bind}."
        )
    return None


def main(argv: list[str] | None = None) -> int:
    sigterm_as_interrupt()
    log_zone_align()
    try:
        address = listen_address(os.environ, bind=arguments(argv).bind)
    except ListenAddressInvalid as error:
        print(error, file=sys.stderr)
        return 2
    problem = exposure_refusal(address, os.environ) or listen_problem(address)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PAWPACT_BIND": address.bind, "PAWPACT_PORT": str(address.port)}
    # Beat's schedule file (deploy/Procfile) stays in this checkout's .pawpact/, not in a /tmp path others share.
    env["PAWPACT_STATE_DIR"] = str(STATE_DIR)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # Messages go through the providers' path as in production: a test shop's SMS through
    # the sandbox, whose receipts mark them delivered, instead of rows nothing ever reports on.
    env.setdefault("PAWPACT_MESSAGE_BACKEND", "pawpact.messaging.delivery.ProviderBackend")
    if not env.get("DJANGO_SECRET_KEY"):
        secret_key_get()  # made once here, so the processes started below all read the same key
    if not env.get("PAWPACT_WAREHOUSE_SECRET"):
        # The sandbox warehouse's shared HMAC secret, made once for this checkout.
        env["PAWPACT_WAREHOUSE_SECRET"], _created = secret_read_or_create(
            STATE_DIR / "warehouse-secret", lambda: secrets.token_urlsafe(32)
        )
    # Without real provider settings, Alipay, WeChat Pay and Stripe are the local fakes.
    env.update(local_gateway_env(env, STATE_DIR))
    return _run(env, address)


def _run(env: dict[str, str], address: ListenAddress) -> int:
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = postgres_start(STATE_DIR / "pgdata", database="pawpact")
        step("Embedded PostgreSQL is running (data in .pawpact/pgdata).")
    redis = broker_and_cache_start(env)  # a local Redis, or PostgreSQL for Celery and the cache
    step("Broker and cache are running.")
    commands = procfile_commands()
    try:
        subprocess.run(commands["release"], shell=True, check=True, cwd=ROOT, env=env)
        step("Migrations are applied.")
        subprocess.run([sys.executable, "manage.py", "load_demo", "--if-empty"], check=True, cwd=ROOT, env=env)
        step("Demo data is in place.")
        reach = "this machine only" if address.is_loopback else "other machines too"
        print(f'Web server on {address.bind} ({reach}); starting, wait for "Ready".')
        for warning in exposure_warnings(address, env):
            print(warning)
        manager = Manager()
        for name in running_processes(env):
            manager.add_process(name, commands[name], env=env, cwd=str(ROOT))
        local = "127.0.0.1" if address.host in ("0.0.0.0", "::", "") else address.host
        local = f"[{local}]" if ":" in local else local
        announce_then_run(ready_url=f"http://{local}:{address.port}/readyz", site_url=f"http://localhost:{address.port}/",
                          after=_demo_after_start(env), cwd=ROOT, env=env)  # fmt: skip
        manager.loop()  # returns once every process has stopped (Ctrl-C stops them all)
        return manager.returncode or 0
    except KeyboardInterrupt:
        return 130
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        # The embedded PostgreSQL handle stops its server at exit (atexit).


def sigterm_as_interrupt() -> None:
    """SIGTERM ends the run as Ctrl-C does: the default would skip the exit handlers that
    stop the embedded PostgreSQL. honcho takes both signals over while it supervises."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def running_processes(env: dict[str, str]) -> tuple[str, ...]:
    """The Procfile's processes to supervise: the fake providers only when the settings point at them."""
    return LONG_RUNNING + ((GATEWAYS,) if env.get("PAWPACT_FAKE_ALIPAY_KEY") else ())


def _demo_after_start(env: dict[str, str]) -> list[list[str]]:
    """Once the web answers: the demo shops get the sandbox warehouse linked with goods on
    sale, and their Alipay and WeChat Pay credentials at the fake gateways, verified
    (pawpact.config.demo_goods, demo_providers); each waits for its party to answer."""
    commands = []
    if env.get("PAWPACT_WAREHOUSE_SECRET"):
        commands.append(manage("load_demo_goods", "--wait", "90"))
    if env.get("PAWPACT_FAKE_DEMO_MERCHANTS"):
        commands.append(manage("load_demo_providers", "--wait", "90"))
    return commands


if __name__ == "__main__":
    sys.exit(main())
