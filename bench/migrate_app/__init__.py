"""A shop app for bench.migrate only: its migrations come in three versions (MIGRATION_MODULES),
so the benchmark can deploy a schema change to every shop."""
