"""The run command: the whole platform in one terminal.

Without DATABASE_URL / REDIS_URL it starts the embedded PostgreSQL (data kept in
.pawpact/pgdata, reused on the next start) and a private Redis where it can; then it runs the
Procfile's `release` step, loads the demo data on the first run, and supervises
web, worker and beat. Ctrl-C stops all of them, and the servers it started.
"""
import os
import subprocess
import sys
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager

from pawpact.config.embedded import postgres_start
from pawpact.config.services_select import broker_and_cache_start

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "deploy" / "Procfile"
LONG_RUNNING = ("web", "worker", "beat")


def procfile_commands() -> dict[str, str]:
    return dict(parse_procfile(PROCFILE.read_text()).processes)


def main() -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = postgres_start(ROOT / ".pawpact" / "pgdata", database="pawpact")
        print("Embedded PostgreSQL is running (data in .pawpact/pgdata).")
    redis = broker_and_cache_start(env)  # a local Redis, or PostgreSQL for Celery and the cache
    commands = procfile_commands()
    try:
        subprocess.run(commands["release"], shell=True, check=True, cwd=ROOT, env=env)
        subprocess.run([sys.executable, "manage.py", "load_demo", "--if-empty"], check=True, cwd=ROOT, env=env)
        manager = Manager()
        for name in LONG_RUNNING:
            manager.add_process(name, commands[name], env=env, cwd=str(ROOT))
        manager.loop()  # returns once every process has stopped (Ctrl-C stops them all)
        return manager.returncode or 0
    except KeyboardInterrupt:
        return 130
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        # The embedded PostgreSQL handle stops its server at exit.


if __name__ == "__main__":
    sys.exit(main())
