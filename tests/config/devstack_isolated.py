"""The run command (`pawpact.config.devstack.main`) with its two machine-wide resources
moved aside: the web server on the given loopback port and beat's schedule file at the
given path, so a test never meets a developer's stack running on the same machine.

Usage: python -m tests.config.devstack_isolated PORT SCHEDULE_FILE
"""
import sys

from pawpact.config import devstack

PROCFILE_BIND = "0.0.0.0:8000"
PROCFILE_SCHEDULE = "/tmp/pawpact-celerybeat-schedule"


def main(port: str, schedule: str) -> int:
    commands = devstack.procfile_commands()
    commands["web"] = commands["web"].replace(PROCFILE_BIND, f"127.0.0.1:{port}")
    commands["beat"] = commands["beat"].replace(PROCFILE_SCHEDULE, schedule)
    devstack.procfile_commands = lambda: commands
    return devstack.main()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
