"""Celery's broker and Django's cache on PostgreSQL, for a machine without Redis
(see services_select.py): the URL kombu's SQLAlchemy transport needs, and its tables."""
from urllib.parse import quote

import dj_database_url
from kombu import Connection

# Schema-qualified: a shop's connection searches its own schema first, and the cache is
# one table for every shop (django_tenants.cache.make_key keeps the keys per schema).
CACHE_TABLE = '"public"."pawpact_cache"'


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
    with Connection(postgres_broker_url(dj_database_url.parse(database_url))) as broker:
        broker.ensure_connection(max_retries=3)
        broker.default_channel.queue_declare("celery", passive=False)
