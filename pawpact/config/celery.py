"""The Celery app. Tasks run in the schema of the shop that sent them
(tenant-schemas-celery carries the schema in a message header)."""
import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")

app = CeleryApp("pawpact")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every app keeps its tasks in one <app>.tasks module.
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    from pawpact.config.schedules import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
