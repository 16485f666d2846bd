"""Migrations across every shop schema.

`migrate_schemas` opens each schema, loads the migration graph and renders the
project state again for every shop: at a thousand shops a deploy that changes
nothing waits minutes. Here one query reads every shop's `django_migrations` and
compares it with the template's; only shops behind are migrated, by worker
processes that load the graph once and render each pending run of migrations to SQL
once, replayed in every shop at the same state. Each shop's migrations run in one transaction: a failure leaves the shop on
its old schema, recorded on its Shop row (its hosts show a maintenance page), and
the other shops go on. A killed run is simply run again: shops already migrated are
not behind any more.
"""
import multiprocessing
import os
import signal
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, connections, router, transaction
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from pawpact.tenants.models import Shop

# Schemas per UNION query: one statement stays a few hundred kilobytes at any fleet size.
_CHUNK = 1000


@dataclass
class FleetReport:
    behind: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class FleetInterrupted(Exception):
    """The run was stopped (SIGINT/SIGTERM); `report` holds what finished before."""

    def __init__(self, report: FleetReport):
        super().__init__("interrupted")
        self.report = report


def schema_fingerprints(schemas: Iterable[str]) -> dict[str, str]:
    """Each schema's applied migrations as one md5, read in one statement per thousand schemas.

    A schema without a `django_migrations` table is left out (it has nothing applied).
    """
    names = sorted(set(schemas))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [names],
        )
        present = sorted(row[0] for row in cursor.fetchall())
        fingerprints = {}
        for start in range(0, len(present), _CHUNK):
            chunk = present[start : start + _CHUNK]
            union = " UNION ALL ".join(
                f"SELECT %s AS schema_name, app, name FROM {connection.ops.quote_name(s)}.django_migrations"
                for s in chunk
            )
            cursor.execute(
                "SELECT schema_name, md5(string_agg(app || '.' || name, ',' ORDER BY app, name))"
                f" FROM ({union}) applied GROUP BY schema_name",
                chunk,
            )
            fingerprints.update(cursor.fetchall())
    return fingerprints


def shops_behind(template: str) -> list[str]:
    """Schemas of the shops whose applied migrations differ from the template's."""
    schemas = list(Shop.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    fingerprints = schema_fingerprints([template, *schemas])
    wanted = fingerprints.get(template)
    return sorted(s for s in schemas if wanted is None or fingerprints.get(s) != wanted)


def fleet_migrate(*, template: str, workers: int = 2, progress=None, on_start=None) -> FleetReport:
    """Migrate every shop behind the template, `workers` processes at a time.

    `on_start` is called with the number of shops behind, `progress` with each
    finished shop's (schema, error or None).
    """
    behind = shops_behind(template)
    report = FleetReport(behind=len(behind))
    if on_start is not None:
        on_start(len(behind))
    if not behind:
        return report
    results = _run_serial(behind) if workers <= 1 else _run_parallel(behind, workers)
    try:
        for schema, error in results:
            _record_outcome(schema, error)
            if error is None:
                report.migrated.append(schema)
            else:
                report.failed[schema] = error
            if progress is not None:
                progress(schema, error)
    except KeyboardInterrupt:
        results.close()  # a pool's exit terminates its workers
        workers_backends_stop()
        raise FleetInterrupted(report) from None
    return report


def worker_application_name() -> str:
    """What the run's worker connections call themselves on the server, so a stop can end them."""
    return f"pawpact-migrate-{os.getpid()}"


def _run_serial(schemas):
    for schema in schemas:
        yield schema, shop_schema_migrate(schema)


def _run_parallel(schemas, workers):
    # Forked children must not share the parent's socket to PostgreSQL.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_init, initargs=(worker_application_name(),)) as pool:
        yield from pool.imap_unordered(_migrate_in_worker, schemas)


def _worker_init(application_name: str) -> None:
    # The parent decides when to stop: a terminal's Ctrl-C reaches the whole process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    connections.close_all()
    connection.settings_dict.setdefault("OPTIONS", {})["application_name"] = application_name


def workers_backends_stop() -> int:
    """End the server backends of this run's workers: a killed client's statement would run on otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            [worker_application_name()],
        )
        return cursor.fetchone()[0]


def _migrate_in_worker(schema: str):
    return schema, shop_schema_migrate(schema)


def _record_outcome(schema: str, error: str | None) -> None:
    connection.set_schema_to_public()
    if error is None:
        Shop.objects.filter(schema_name=schema).exclude(migration_error="").update(
            migration_error="", migration_failed_at=None
        )
    else:
        Shop.objects.filter(schema_name=schema).update(migration_error=error[:4000], migration_failed_at=timezone.now())


class _DiskOnceLoader(MigrationLoader):
    """Reads the migration files once per process; `build_graph` then only re-reads what is applied."""

    _disk = None

    def load_disk(self):
        if _DiskOnceLoader._disk is None:
            super().load_disk()
            _DiskOnceLoader._disk = (self.disk_migrations, self.unmigrated_apps, self.migrated_apps)
        self.disk_migrations, self.unmigrated_apps, self.migrated_apps = (
            dict(_DiskOnceLoader._disk[0]), set(_DiskOnceLoader._disk[1]), set(_DiskOnceLoader._disk[2])
        )


_MODEL_LEVEL = (
    operations.CreateModel,
    operations.DeleteModel,
    operations.RenameModel,
    operations.AlterModelOptions,
)


class _Executor(MigrationExecutor):
    """The stock executor, without the stock loader that reads every migration file again."""

    def __init__(self, connection):  # the parent's would build a MigrationLoader
        self.connection = connection
        self.loader = _DiskOnceLoader(connection)
        self.recorder = MigrationRecorder(connection)
        self.progress_callback = None


# Rendered project states by the set of migrations applied: shops at the same state
# start from a copy instead of rendering every model again.
_states: dict[frozenset, object] = {}


@dataclass(frozen=True)
class _Script:
    """A run of migrations as the SQL it executes, and the state after it when models changed."""

    statements: tuple[str, ...]
    post_state: object | None


# The SQL of a run of migrations by the state it starts from. Django's schema SQL names
# tables unqualified (the search path picks the shop), so every shop at that state runs
# the same statements: the project state is carried forward once per worker, not once a
# shop (rendering it forward is over 95% of a real deploy's time per shop otherwise).
_scripts: dict[tuple, _Script] = {}

def shop_schema_migrate(schema: str) -> str | None:
    """Apply what `schema` lacks; returns the error text, or None.

    Consecutive atomic migrations run in one transaction, so a failure leaves the shop
    as it was. A non-atomic migration (CREATE INDEX CONCURRENTLY cannot run in a
    transaction) runs alone and holds one such operation (docs/operations.md); an
    index a failed or killed build left invalid is dropped before the next try.
    """
    try:
        with _recorder_table_check_by_name():
            connection.set_schema(schema, include_public=False)
            MigrationRecorder(connection).ensure_schema()
            connection.set_schema(schema)
            _migrate_steps(schema)
        return None
    except Exception as error:  # noqa: BLE001 - any failure is recorded for that shop, the others go on
        return f"{type(error).__name__}: {error}"
    finally:
        connection.set_schema_to_public()


def _migrate_steps(schema: str) -> None:
    while step := _next_step(schema):
        executor, targets, plan = step
        if plan[0][0].atomic:
            with transaction.atomic():
                _apply(executor, targets, plan)
        else:
            _invalid_indexes_drop(schema)
            _apply(executor, targets, plan)


def _invalid_indexes_drop(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT i.indisvalid",
            [schema],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {connection.ops.quote_name(schema)}.{connection.ops.quote_name(name)}")


@contextmanager
def _recorder_table_check_by_name():
    """Django asks whether django_migrations exists by listing every table the search path
    sees (introspection over pg_class): with a thousand schemas, 100,000 rows, several
    times a shop. Asked by name instead, for this schema only."""
    stock = MigrationRecorder.has_table

    def has_table(recorder):
        if not recorder._has_table:
            with recorder.connection.cursor() as cursor:
                name = f"{recorder.connection.ops.quote_name(recorder.connection.schema_name)}.django_migrations"
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
                recorder._has_table = cursor.fetchone()[0]
        return recorder._has_table

    MigrationRecorder.has_table = has_table
    try:
        yield
    finally:
        MigrationRecorder.has_table = stock


def schema_plan_length(schema: str, *, shared: bool = False) -> int:
    """How many migrations `schema` lacks (the public schema with `shared`)."""
    try:
        if shared:
            connection.set_schema_to_public()
        else:
            connection.set_schema(schema)
        executor = _Executor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    finally:
        connection.set_schema_to_public()


def _next_step(schema: str):
    """The next run of the plan: every atomic migration up to the first non-atomic one, or that one alone."""
    connection.set_schema(schema)
    executor = _Executor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if not plan:
        return None
    atomic = plan[0][0].atomic
    length = next((i for i, (migration, _) in enumerate(plan) if migration.atomic != atomic), len(plan))
    return executor, targets, plan[: 1 if not atomic else length]


def _apply(executor: MigrationExecutor, targets, plan) -> None:
    applied = frozenset(executor.loader.applied_migrations)
    if not _replayable(plan):
        post_state = executor.migrate(targets, plan=plan, state=_state(executor, applied).clone())
        if _changes_models(plan):
            _post_migrate(post_state, plan)
        return
    key = (applied, tuple(migration for migration, _ in plan))
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = _script_build(executor, applied, plan)
    with connection.cursor() as cursor:
        for statement in script.statements:
            cursor.execute(statement)
    for migration, _ in plan:
        executor.recorder.record_applied(migration.app_label, migration.name)
    if script.post_state is not None:
        emit_post_migrate_signal(0, False, connection.alias, apps=script.post_state.apps, plan=plan)


def _state(executor: MigrationExecutor, applied: frozenset):
    state = _states.get(applied)
    if state is None:
        state = executor._create_project_state(with_applied_migrations=True)
        state.apps  # noqa: B018 - render once, then copy for every shop at this state
        _states[applied] = state
    return state


def _replayable(plan) -> bool:
    """Only SQL can be replayed: squashed migrations and Python operations that run in a
    shop's schema go the stock way (a platform app's Python is skipped there by the router)."""
    return all(not migration.replaces and all(_sql_only(migration, op) for op in migration.operations) for migration, _ in plan)


def _sql_only(migration, op) -> bool:
    return op.reduces_to_sql or not router.allow_migrate(connection.alias, migration.app_label, **getattr(op, "hints", {}))


def _script_build(executor: MigrationExecutor, applied: frozenset, plan) -> _Script:
    state, statements = _state(executor, applied).clone(), []
    for migration, _ in plan:
        with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
            state = migration.apply(state, editor, collect_sql=True)
        # Django interleaves one-line "--" comments naming each operation; they are not SQL to run.
        statements += [sql for sql in editor.collected_sql if not (sql.startswith("--") and "\n" not in sql)]
    if not _changes_models(plan):
        return _Script(tuple(statements), None)
    state.clear_delayed_apps_cache()
    state.apps  # noqa: B018 - rendered once for every shop's post_migrate
    return _Script(tuple(statements), state)


def _changes_models(plan) -> bool:
    return any(isinstance(op, _MODEL_LEVEL) for migration, _ in plan for op in migration.operations)


def _post_migrate(post_state, plan) -> None:
    # Content types and permissions follow models; a column or an index changes neither,
    # and their ~200 queries a shop would dominate an additive deploy.
    post_state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, connection.alias, apps=post_state.apps, plan=plan)


def default_workers() -> int:
    return max(1, min(8, (os.cpu_count() or 2)))
