"""gunicorn's settings that the Procfile's `web` line does not give: the listen address,
from the environment (127.0.0.1:8000 unless PAWPACT_BIND / PAWPACT_PORT say otherwise),
so the run command, the image and compose share one command line."""
import os

from pawpact.config.listen import listen_address
from pawpact.core.gc_tuning import startup_objects_freeze

bind = [listen_address(os.environ).bind]


def post_worker_init(worker) -> None:
    """Each web worker, its application loaded: freeze what start-up left (pawpact.core.gc_tuning)."""
    startup_objects_freeze()
