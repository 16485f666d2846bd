"""The Celery app. Tasks run in the schema of the shop that sent them
(tenant-schemas-celery carries the schema in a message header)."""
import os
import time

from celery.signals import before_task_publish, task_postrun, task_prerun, worker_init, worker_process_init
from tenant_schemas_celery.app import CeleryApp

from pawpact.config.metrics import task_finished, task_started, worker_metrics_serve
from pawpact.config.schedules import beat_schedule
from pawpact.core.gc_tuning import startup_objects_freeze

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


@worker_process_init.connect
def _freeze_startup_objects(**kwargs):
    """Each pool process, its tasks loaded: freeze what start-up left (pawpact.core.gc_tuning)."""
    startup_objects_freeze()


@before_task_publish.connect
def _metrics_stamp_sent_at(headers=None, **kwargs):
    """The worker measures how long each task waited in the queue from this stamp."""
    if headers is not None:
        headers.setdefault("pawpact_sent_at", time.time())


@task_prerun.connect
def _metrics_task_started(task_id=None, task=None, **kwargs):
    sent_at = getattr(task.request, "pawpact_sent_at", None) if task is not None else None
    task_started(task_id, task.name if task is not None else "?", sent_at)


@task_postrun.connect
def _metrics_task_finished(task_id=None, task=None, retval=None, state=None, **kwargs):
    task_finished(task_id, task.name if task is not None else "?", state or "UNKNOWN", retval)


@worker_init.connect
def _metrics_serve(**kwargs):
    worker_metrics_serve()
