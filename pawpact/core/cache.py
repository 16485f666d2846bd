"""The table behind Django's database cache, where one is configured (no Redis).

Django's `createcachetable` skips it under django-tenants: the tenant router lets
no app outside SHARED_APPS/TENANT_APPS migrate, and the cache belongs to none.
One table in the public schema serves every shop; `django_tenants.cache.make_key`
puts the schema in each key.
"""
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context


def database_cache_tables_create() -> list[str]:
    """Create the table of every database cache in settings.CACHES; returns their names."""
    tables = [cache._table for alias in settings.CACHES if isinstance(cache := caches[alias], BaseDatabaseCache)]
    quote = connection.ops.quote_name
    for name in tables:
        # The same columns and index as Django's createcachetable.
        table, index = quote(name), quote(name.replace('"', "").split(".")[-1] + "_expires")
        with schema_context(get_public_schema_name()), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (cache_key varchar(255) PRIMARY KEY, "
                "value text NOT NULL, expires timestamp with time zone NOT NULL)"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (expires)")
    return tables
