from django.apps import AppConfig


class BenchMigrateConfig(AppConfig):
    name = "bench.migrate_app"
    label = "bench_migrate"
    default_auto_field = "django.db.models.BigAutoField"
