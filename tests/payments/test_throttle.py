"""The per-process rail limiter never lets more than its limit go in any sliding second,
even when threads wake late from their sleep (a busy process), which is what the provider's
gateway counts."""

import threading
import time

from pawpact.payments.throttle import RateLimiter


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_late_wakers_do_not_bunch_past_the_limit():
    # Each thread's moment of release is its last reading of the clock or its last waking,
    # whichever came later: taken inside the limiter, so the test's own scheduling on a busy
    # machine does not blur it.
    seen = threading.local()
    calls = 0
    calls_lock = threading.Lock()

    def clock() -> float:
        seen.last = time.monotonic()
        return seen.last

    def oversleeping(seconds: float) -> None:
        # Every other sleep overshoots by half a second, as when the interpreter is held elsewhere.
        nonlocal calls
        with calls_lock:
            calls += 1
            late = calls % 2 == 0
        time.sleep(seconds + (0.5 if late else 0.0))
        seen.last = time.monotonic()

    limiter = RateLimiter(20, clock=clock, sleep=oversleeping)
    released: list[float] = []

    def caller() -> None:
        for _ in range(5):
            limiter.acquire()
            released.append(seen.last)

    threads = [threading.Thread(target=caller) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(released) == 60
    assert _most_in_one_second(released) <= 20


def test_calls_are_spaced_evenly_when_nothing_is_late():
    clock = [100.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = RateLimiter(4, clock=lambda: clock[0], sleep=sleep)
    released = []
    for _ in range(9):
        limiter.acquire()
        released.append(clock[0])

    assert released == [100.0, 100.25, 100.5, 100.75, 101.0, 101.25, 101.5, 101.75, 102.0]
