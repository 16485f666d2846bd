"""Settings for the test suite: the database address is filled in by tests/conftest.py."""
import atexit
import os
import shutil
import tempfile
from datetime import timedelta

# The suite neither reads nor writes the checkout's .pawpact/ (secret key, demo password,
# media): a folder of its own, set before base.py reads it, and gone when the run ends.
os.environ["PAWPACT_STATE_DIR"] = tempfile.mkdtemp(prefix="pawpact-test-state-")
atexit.register(shutil.rmtree, os.environ["PAWPACT_STATE_DIR"], ignore_errors=True)

from pawpact.config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PAWPACT_MESSAGE_BACKEND = "pawpact.messaging.backends.DatabaseBackend"
LANGUAGE_CODE = "en"
# Tasks run in-process through the same tenant-aware task class as in production.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES["default"] = {  # noqa: F405
    **CACHES["default"],  # noqa: F405
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pawpact-tests",
}
# Tests sign up and log in many times a minute from one address.
ACCOUNT_RATE_LIMITS = False
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "10000/min"}}  # noqa: F405
# Links and printed addresses the tests compare, whatever PAWPACT_PORT the shell has.
PAWPACT_PORT = PAWPACT_URL_PORT = "8000"
# Browser and webhook tests serve on random ports; tests/core/test_security.py checks ports.
PAWPACT_HOST_PORTS = None
# Many tests travel in time with tokens issued before the trip; tests/api/test_devices.py
# sets the deployed lifetimes where it checks expiry.
PAWPACT_API_ACCESS_TTL = PAWPACT_API_REFRESH_TTL = timedelta(days=3650)
