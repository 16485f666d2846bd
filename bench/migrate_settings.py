"""bench.migrate's settings: the platform's, plus a shop app whose migrations the benchmark switches."""
import os

from pawpact.config.settings.base import *
from pawpact.config.settings.base import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "bench.migrate_app"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.migrate_app"]
MIGRATION_MODULES = {"bench_migrate": os.environ.get("PAWPACT_BENCH_MIGRATIONS", "bench.migrate_app.migrations_v1")}
