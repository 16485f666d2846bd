# Load the Celery app with Django, so `.delay()` from web processes uses Pawpact's broker.
from pawpact.config.celery import app as celery_app

__all__ = ["celery_app"]
