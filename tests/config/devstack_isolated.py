"""The run command (`pawpact.config.devstack.main`) with its two machine-wide resources
moved aside: the web server on the given loopback port (and the sandbox warehouse and the fake providers on free ones) (through PAWPACT_PORT, which the
run command reads) and beat's schedule file at the given path, so a test never meets a
developer's stack running on the same machine.

Usage: python -m tests.config.devstack_isolated PORT SCHEDULE_FILE
"""
import os
import socket
import sys

from pawpact.config import devstack

PROCFILE_SCHEDULE = "${PAWPACT_STATE_DIR:-/tmp}/celerybeat-schedule"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(port: str, schedule: str) -> int:
    commands = devstack.procfile_commands()
    commands["beat"] = commands["beat"].replace(PROCFILE_SCHEDULE, schedule)
    devstack.procfile_commands = lambda: commands
    os.environ["PAWPACT_PORT"] = port
    os.environ["PAWPACT_WAREHOUSE_PORT"] = str(_free_port())  # the sandbox warehouse, out of a running stack's way
    os.environ.setdefault("PAWPACT_GATEWAYS_PORT", str(_free_port()))  # the fake providers (this port and the next two)
    os.environ.pop("PAWPACT_BIND", None)
    return devstack.main([])


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
