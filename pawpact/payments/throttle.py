"""A per-process limit on requests per second to a provider's gateway.

Providers cap a merchant's requests per second (Alipay and WeChat Pay answer "flow
limited" past it). `RateLimiter.acquire` spaces the calls of every thread of this process
evenly, blocking the caller until its slot; with N worker processes, give each 1/N of the
merchant's limit (settings.PAWPACT_RAIL_RATE_LIMITS is per process).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings


class RateLimiter:
    def __init__(self, per_second: float, *, clock=time.monotonic, sleep=time.sleep) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


_limiters: dict[tuple[str, float], RateLimiter] = {}
_lock = threading.Lock()


def limiter_for(rail: str) -> RateLimiter | None:
    """The process's limiter of `rail`, or None when the rail has no limit (sandbox, Stripe)."""
    rate = settings.PAWPACT_RAIL_RATE_LIMITS.get(rail)
    if not rate:
        return None
    with _lock:
        return _limiters.setdefault((rail, float(rate)), RateLimiter(float(rate)))
