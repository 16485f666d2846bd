"""Emergency clinic search among 10,000 partners: ours against a naive scan, same run.

    python -m bench.partners [--partners 10000] [--searches 500] [--naive-searches 100]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh database on
that server, dropped at exit) and seeds `--partners` partners (bulk insert, not timed):
80 % spread over a 60 × 60 km city, the rest over the country; 70 % clinics; 80 % listed,
the rest in the other states. Then, at the same random points in the city:
  (a) times `pawpact.partners.selectors.clinics_near` (bounding box on the indexed
      latitude/longitude, then exact haversine; each clinic marked open now from its weekly
      hours) `--searches` times → searches/s, p50, p99, and again with the "open now" filter;
  (b) times the naive search (haversine over every clinic) `--naive-searches` times;
  (c) checks that both return the same clinics in the same order at every point timed in (b).
Prints PASS/FAIL for **p99(a) ≤ 20 ms** and the check; exits non-zero on any FAIL.
"""

import argparse
import random
import statistics
import sys
import time

from bench.common import setup_django

TARGET_P99_MS = 20.0
CITY = (31.2304, 121.4737)  # Shanghai, People's Square
CITY_HALF_DEG = (0.27, 0.315)  # about 30 km either way


def seed(count: int) -> None:
    from pawpact.partners.enums import PartnerKind, PartnerState
    from pawpact.partners.models import Partner

    rng = random.Random(14)
    states = [PartnerState.LISTED] * 8 + [PartnerState.RECTIFICATION, PartnerState.DELISTED]
    rows = []
    for n in range(count):
        if rng.random() < 0.8:
            lat = CITY[0] + rng.uniform(-CITY_HALF_DEG[0], CITY_HALF_DEG[0])
            lng = CITY[1] + rng.uniform(-CITY_HALF_DEG[1], CITY_HALF_DEG[1])
        else:
            lat, lng = rng.uniform(18, 53), rng.uniform(73, 135)
        kind = PartnerKind.CLINIC if rng.random() < 0.7 else PartnerKind.GROOMER
        rows.append(Partner(
            kind=kind, name=f"Partner {n:05d}", phone=f"021-{n:08d}", address=f"{n} Bench Rd", latitude=lat,
            longitude=lng, services=["emergency", "checkup"] if kind == PartnerKind.CLINIC else ["grooming"],
            licence_number=f"L{n:06d}", licence_file="partner-licences/bench.pdf", state=rng.choice(states),
            **_hours(rng),
        ))  # fmt: skip
    Partner.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_partner")


def _hours(rng: random.Random) -> dict:
    """Opening hours as partners give them: 10 % open 24 hours, 10 % none given, the rest a
    week of one or two ranges a day with a closed day, so "open now" is judged on real data."""
    roll = rng.random()
    if roll < 0.1:
        return {"open_24h": True}
    if roll < 0.2:
        return {}
    day = [["09:00", "12:00"], ["13:30", "21:00"]] if rng.random() < 0.5 else [["08:00", "22:00"]]
    week = [day] * 7
    week[rng.randrange(7)] = []
    return {"weekly_hours": week}


def plan_print(lat: float, lng: float) -> None:
    """The server's plan and time for one search (the index scan, not a sequential one)."""
    from django.db import connection

    from pawpact.partners import selectors

    real = connection.cursor

    class Explain:
        def __init__(self, cursor):
            self.cursor = cursor

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.cursor.close()

        def execute(self, sql, args):
            self.cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, args)

        def fetchall(self):
            lines = [row[0] for row in self.cursor.fetchall()]
            print(
                "plan:",
                *(line for line in lines if "Index" in line or "Scan" in line or "Execution" in line),
                sep="\n  ",
            )
            return []

    connection.cursor = lambda: Explain(real())
    try:
        selectors.clinics_near(latitude=lat, longitude=lng)
    finally:
        connection.cursor = real


def timed(function, points) -> tuple[list[float], list]:
    durations, results = [], []
    for point in points:
        start = time.perf_counter()
        results.append(function(*point))
        durations.append((time.perf_counter() - start) * 1000)
    return durations, results


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--naive-searches", type=int, default=100)
    args = parser.parse_args()
    setup_django()
    from pawpact.partners.selectors import clinics_near, clinics_near_naive

    seed(args.partners)
    rng = random.Random(20)
    points = [(CITY[0] + rng.uniform(-0.2, 0.2), CITY[1] + rng.uniform(-0.2, 0.2)) for _ in range(args.searches)]
    clinics_near(latitude=CITY[0], longitude=CITY[1])  # warm the connection and the plan cache
    ours, found = timed(lambda lat, lng: clinics_near(latitude=lat, longitude=lng), points)
    slow, slow_found = timed(lambda lat, lng: clinics_near_naive(latitude=lat, longitude=lng),
                             points[: args.naive_searches])  # fmt: skip
    same = all([(c.id, c.distance_m) for c in a] == b for a, b in zip(found, slow_found, strict=False))
    open_only, _open_found = timed(lambda lat, lng: clinics_near(latitude=lat, longitude=lng, open_now_only=True),
                                   points)  # fmt: skip
    ours_p99, slow_p99, open_p99 = p99(ours), p99(slow), p99(open_only)
    plan_print(*CITY)
    print(f"{args.partners:,} partners; {statistics.mean(len(r) for r in found):.1f} clinics within 3 km on average")
    print(f"(a) ours:  {len(ours)} searches, {1000 / statistics.mean(ours):,.0f} searches/s, "
          f"p50 {statistics.median(ours):.2f} ms, p99 {ours_p99:.2f} ms")  # fmt: skip
    print(f"(a') open now only: {len(open_only)} searches, p50 {statistics.median(open_only):.2f} ms, "
          f"p99 {open_p99:.2f} ms")  # fmt: skip
    print(f"(b) naive: {len(slow)} searches, {1000 / statistics.mean(slow):,.0f} searches/s, "
          f"p50 {statistics.median(slow):.2f} ms, p99 {slow_p99:.2f} ms")  # fmt: skip
    print(f"ratio naive / ours: p50 {statistics.median(slow) / statistics.median(ours):,.1f}x, "
          f"p99 {slow_p99 / ours_p99:,.1f}x")  # fmt: skip
    checks = {f"(a) p99 <= {TARGET_P99_MS:.0f} ms": ours_p99 <= TARGET_P99_MS,
              f"(a') open now only p99 <= {TARGET_P99_MS:.0f} ms": open_p99 <= TARGET_P99_MS,
              "(c) same clinics as naive": same}  # fmt: skip
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
