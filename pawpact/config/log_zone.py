"""One time zone in every log line of a run.

Django points a process's local time at TIME_ZONE (TZ and tzset) when its settings
load, so processes that load them (gunicorn's workers, Celery) log in Beijing time,
while gunicorn's arbiter and the run command's supervisor, which never do, logged in
the host's zone. Loading the settings early in those two as well aligns them; their
children inherit TZ.
"""
import os

DEFAULT_SETTINGS = "pawpact.config.settings.base"


def log_zone_align() -> str:
    """Set this process's local time zone to the settings' TIME_ZONE; returns it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.conf import settings

    return settings.TIME_ZONE  # reading a setting loads them, which sets TZ
