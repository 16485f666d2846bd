"""django-tenants' PostgreSQL backend, correct behind pgbouncer in transaction mode.

django-tenants selects a shop with a session-level `SET search_path` and then
assumes the server session keeps it. Behind a transaction-mode pooler each
transaction may get another server connection: the SET lands on one and the query
on another, still carrying whatever path its previous client left — another shop's.

With `TRANSACTION_POOLING` on (DATABASE_TRANSACTION_POOLING=1), every statement runs
inside a transaction that starts with `SET LOCAL search_path` for the current shop:
the path lives and dies with the transaction, on the server connection that runs
the statement, and nothing is left behind for the pooler's next client. A statement
outside `atomic()` gets a transaction of its own (BEGIN, SET LOCAL, statement,
COMMIT). Statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY)
belong to migrations, which connect to PostgreSQL directly.
"""
from django.db import transaction
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.postgresql_backend.base import quote_schema_name


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transaction_pooling = bool(self.settings_dict.get("TRANSACTION_POOLING"))
        self._local_search_path = None
        if self.transaction_pooling:
            self.execute_wrappers.append(self._execute_with_local_search_path)

    def _handle_search_path(self, cursor=None):
        if self.transaction_pooling:
            return  # a session-level SET would outlive this client on the pooled server connection
        super()._handle_search_path(cursor)

    def _execute_with_local_search_path(self, execute, sql, params, many, context):
        if not self.in_atomic_block:
            with transaction.atomic(using=self.alias):
                return self._execute_with_local_search_path(execute, sql, params, many, context)
        wanted = self._get_cursor_search_paths()
        if self._local_search_path != wanted:
            paths = ",".join(quote_schema_name(schema) for schema in wanted)
            context["cursor"].cursor.execute(f"SET LOCAL search_path = {paths}")
            self._local_search_path = wanted
        return execute(sql, params, many, context)

    def _commit(self):
        self._local_search_path = None
        return super()._commit()

    def _rollback(self):
        self._local_search_path = None
        return super()._rollback()

    def savepoint_rollback(self, sid):
        # ROLLBACK TO SAVEPOINT undoes a SET LOCAL issued after the savepoint.
        self._local_search_path = None
        super().savepoint_rollback(sid)

    def close(self):
        self._local_search_path = None
        super().close()
