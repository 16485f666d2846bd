"""The Celery app. Tasks run in the schema of the shop that sent them
(tenant-schemas-celery carries the schema in a message header)."""
import os

from celery.signals import worker_process_init
from tenant_schemas_celery.app import CeleryApp

from pawpact.config.schedules import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")

app = CeleryApp("pawpact")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every app keeps its tasks in one <app>.tasks module.
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    sender.conf.beat_schedule = beat_schedule()


@worker_process_init.connect
def _drop_inherited_broker_connections(**kwargs):
    """A pool process forked after the worker opened the PostgreSQL broker (a replacement
    for one that died) must not share the parent's pooled database connections."""
    if not app.conf.broker_url.startswith("sqla+"):
        return
    from kombu.transport.sqlalchemy import Channel

    for engine, _ in list(Channel._engines.values()):
        engine.dispose(close=False)
