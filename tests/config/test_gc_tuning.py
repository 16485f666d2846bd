"""Web and task processes freeze what start-up left, so full collections skip it."""

import gc

import pytest

from pawpact.config import gunicorn as gunicorn_config
from pawpact.config.celery import _freeze_startup_objects


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_web_worker_freezes_the_loaded_application(unfrozen):
    assert gc.get_freeze_count() == 0
    gunicorn_config.post_worker_init(worker=None)
    assert gc.get_freeze_count() > 10_000  # Django, DRF and the project's modules and objects


def test_a_task_pool_process_freezes_the_loaded_tasks(unfrozen):
    _freeze_startup_objects()
    assert gc.get_freeze_count() > 10_000
