"""The database backend: django-tenants', safe behind a transaction-mode pooler (pgbouncer)."""
