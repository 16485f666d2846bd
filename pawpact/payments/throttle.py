"""A per-process limit on requests per second to a provider's gateway.

Providers cap a merchant's requests per second (Alipay and WeChat Pay answer "flow
limited" past it), counted over a sliding second as requests arrive. `RateLimiter.acquire`
spaces the calls of every thread of this process evenly, then lets a caller go only while
fewer than the limit were let go in the last second, counted at the moment each was really
let go: a thread that wakes late (the process was busy elsewhere) is counted when it goes,
so late wakers cannot bunch up with the punctual ones. The adapters wait here before every
signed request (`throttle`), whatever it is for: debits, the queries that follow them,
refunds, agreements. With N worker processes, give each 1/N of the merchant's limit
(settings.PAWPACT_RAIL_RATE_LIMITS is per process).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from django.conf import settings


class RateLimiter:
    def __init__(self, per_second: float, *, clock=time.monotonic, sleep=time.sleep) -> None:
        self.interval = 1.0 / per_second
        self.limit = max(1, math.floor(per_second))
        self._next = 0.0
        self._released: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)
        while (wait := self._release()) > 0:
            self._sleep(wait)

    def _release(self) -> float:
        """0 once the caller is let go (and counted); otherwise the seconds until a place frees."""
        with self._lock:
            now = self._clock()
            while self._released and self._released[0] <= now - 1.0:
                self._released.popleft()
            if len(self._released) < self.limit:
                self._released.append(now)
                return 0.0
            return self._released[0] + 1.0 - now


_limiters: dict[tuple[str, float], RateLimiter] = {}
_lock = threading.Lock()


def limiter_for(rail: str) -> RateLimiter | None:
    """The process's limiter of `rail`, or None when the rail has no limit (sandbox, Stripe)."""
    rate = settings.PAWPACT_RAIL_RATE_LIMITS.get(rail)
    if not rate:
        return None
    with _lock:
        return _limiters.setdefault((rail, float(rate)), RateLimiter(float(rate)))


def throttle(rail: str) -> None:
    """Wait for a place under `rail`'s limit (at once when it has none)."""
    limiter = limiter_for(rail)
    if limiter is not None:
        limiter.acquire()
