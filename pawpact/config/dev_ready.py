"""The run command's start-up, told honestly: each step with the seconds since the start,
and "Ready" only once the web server answers /readyz (gunicorn's "Listening" comes before
its workers have loaded the app). The demo loaders wait for that moment instead of
importing Django beside the booting web workers on a busy machine."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

STARTED = time.monotonic()
POLL_SECONDS = 1.0
GIVE_UP_SECONDS = 900


def step(message: str, *, since: float = STARTED) -> None:
    """Print one start-up step with the seconds since the run command started."""
    print(f"[+{time.monotonic() - since:6.1f}s] {message}", flush=True)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until_ready(url: str, *, probe: Callable[[str], bool] = answers, timeout: float = GIVE_UP_SECONDS,
                     poll: float | None = None) -> bool:  # fmt: skip
    poll = POLL_SECONDS if poll is None else poll
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe(url):
            return True
        time.sleep(poll)
    return False


def announce_then_run(*, ready_url: str, site_url: str, after: Sequence[Sequence[str]], cwd, env) -> threading.Thread:
    """A thread: wait for the web to answer, say so, then run the one-off `after` commands."""

    def run() -> None:
        if not wait_until_ready(ready_url):
            step(f"The web server did not answer {ready_url} in {GIVE_UP_SECONDS} s; see its log above.")
            return
        step(f"Ready: {site_url}")
        for command in after:
            subprocess.run(list(command), cwd=cwd, env=env, check=False)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]
