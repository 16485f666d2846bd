"""gunicorn's settings that the Procfile's `web` line does not give: the listen address,
from the environment (127.0.0.1:8000 unless PAWPACT_BIND / PAWPACT_PORT say otherwise),
so the run command, the image and compose share one command line."""
import os

from pawpact.config.listen import listen_address
from pawpact.config.log_zone import log_zone_align
from pawpact.core.gc_tuning import startup_objects_freeze

bind = [listen_address(os.environ).bind]
# gunicorn ≥ 25.1 opens a control socket at $HOME/.gunicorn/gunicorn.ctl, one path for
# every checkout and container of a user: a second server would take over the first's.
# Nothing here uses gunicornc; older gunicorns ignore the unknown setting.
control_socket_disable = True

log_zone_align()


def post_worker_init(worker) -> None:
    """Each web worker, its application loaded: freeze what start-up left (pawpact.core.gc_tuning)."""
    startup_objects_freeze()
