"""Slot search: the one-query walk (ours) against a naive per-slot computation, same run.

    python -m bench.booking [--resources 20] [--days 30] [--searches 200] [--naive-searches 3]

Starts a throw-away embedded PostgreSQL (or, with DATABASE_URL set, a fresh database on
that server, dropped at exit), provisions one shop, seeds one 60-minute service and
`--resources` resources open 09:00–12:00 and 13:00–18:00 every day, one day off each per
week and about 40 % of their hours booked over `--days` days (bulk inserts, not timed), then:
  (a) times `pawpact.care.selectors.slots_available` for every resource over the whole
      range, `--searches` times → searches/s, p50, p99;
  (b) times the naive computation (for every candidate start, one query for the day off,
      one for the hours, one for an overlapping booking) `--naive-searches` times;
  (c) checks that both give exactly the same slots.
Prints PASS/FAIL for **p99(a) ≤ 50 ms** and the check; exits non-zero on any FAIL.
The clinic search among 10,000 partners is `bench.partners`.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, time as dtime, timedelta

from bench.common import setup_django

TARGET_P99_MS = 50.0


def seed(schema: str, resources: int, days: int, first_day: date) -> int:
    from django_tenants.utils import schema_context

    from pawpact.care.enums import BenefitSource, PaymentStatus, ServiceKind
    from pawpact.care.models import Booking, DayOff
    from pawpact.care.selectors import local_at
    from pawpact.care.services.catalogue import resource_create, service_type_create
    from pawpact.customers.enums import Species
    from pawpact.customers.models import Customer, Pet

    rng = random.Random(14)
    with schema_context(schema):
        service = service_type_create(name="Groom", kind=ServiceKind.GROOMING, duration_minutes=60, price_minor=8_800)
        customer = Customer.objects.create(name="Bench", phone="+8613900000001", birth_date=date(1990, 1, 1))
        pet = Pet.objects.create(owner=customer, name="Bench cat", species=Species.CAT)
        hours = [(d, dtime(9), dtime(12)) for d in range(7)] + [(d, dtime(13), dtime(18)) for d in range(7)]
        rows, offs = [], []
        for n in range(resources):
            resource = resource_create(name=f"Groomer {n:02d}", services=[service], hours=hours)
            for offset in range(days):
                day = first_day + timedelta(days=offset)
                if (offset + n) % 7 == 0:
                    offs.append(DayOff(resource=resource, day=day))
                    continue
                for hour in (9, 10, 11, 13, 14, 15, 16, 17):
                    if rng.random() < 0.4:
                        minute = rng.choice((0, 30)) if hour not in (11, 17) else 0
                        starts = local_at(day, dtime(hour, minute))
                        rows.append(Booking(
                            customer=customer, pet=pet, service=service, resource=resource, starts_at=starts,
                            ends_at=starts + timedelta(minutes=60) if minute == 0 else starts + timedelta(minutes=30),
                            benefit_source=BenefitSource.PAID, price_minor=8_800, amount_due_minor=8_800,
                            payment_status=PaymentStatus.DUE,
                        ))  # fmt: skip
        DayOff.objects.bulk_create(offs)
        Booking.objects.bulk_create(rows)
        return service.pk


def naive(service, day_from: date, day_to: date, now: datetime) -> list:
    """For every resource, day and 30-minute start: is it offered, and is it free? One query each."""
    from pawpact.care.enums import BookingStatus
    from pawpact.care.models import Booking, Resource
    from pawpact.care.selectors import Slot, local_at, slot_is_offered

    found = []
    for resource in Resource.objects.filter(services=service, is_active=True).order_by("id"):
        day = day_from
        while day <= day_to:
            start = local_at(day, dtime(0))
            while start < local_at(day + timedelta(days=1), dtime(0)):
                end = start + timedelta(minutes=service.duration_minutes)
                if start > now and slot_is_offered(resource=resource, starts_at=start, ends_at=end):
                    overlap = Booking.objects.filter(resource=resource, starts_at__lt=end, ends_at__gt=start)
                    if not overlap.exclude(status=BookingStatus.CANCELLED).exists():
                        found.append(Slot(resource.pk, start, end))
                start += timedelta(minutes=30)
            day += timedelta(days=1)
    return found


def timed(function, times: int) -> tuple[list[float], object]:
    durations, result = [], None
    for _ in range(times):
        start = time.perf_counter()
        result = function()
        durations.append((time.perf_counter() - start) * 1000)
    return durations, result


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--naive-searches", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from pawpact.accounts.models import User
    from pawpact.care.models import ServiceType
    from pawpact.care.selectors import slots_available
    from pawpact.tenants.services import shop_provision

    owner = User.objects.create_user("owner@bench.test", "bench-password-123", name="Bench owner")
    schema = shop_provision(name="Bench care", slug="care-bench", owner=owner).schema_name
    first_day = timezone.localdate() + timedelta(days=1)
    last_day = first_day + timedelta(days=args.days - 1)
    service_id = seed(schema, args.resources, args.days, first_day)
    now = timezone.now()
    with schema_context(schema):
        service = ServiceType.objects.get(pk=service_id)
        ours, fast = timed(lambda: slots_available(service=service, day_from=first_day, day_to=last_day, now=now), args.searches)
        slow_times, slow = timed(lambda: naive(service, first_day, last_day, now), args.naive_searches)
    ours_p99, slow_p99 = p99(ours), p99(slow_times)
    print(f"{args.resources} resources x {args.days} days: {len(fast):,} free slots")
    print(f"(a) ours:  {args.searches} searches, {1000 / statistics.mean(ours):,.1f} searches/s, "
          f"p50 {statistics.median(ours):.1f} ms, p99 {ours_p99:.1f} ms")  # fmt: skip
    print(f"(b) naive: {args.naive_searches} searches, {1000 / statistics.mean(slow_times):,.2f} searches/s, "
          f"p50 {statistics.median(slow_times):.1f} ms, p99 {slow_p99:.1f} ms")  # fmt: skip
    print(f"ratio p99 naive / ours: {slow_p99 / ours_p99:,.0f}x")
    checks = {f"(a) p99 <= {TARGET_P99_MS:.0f} ms": ours_p99 <= TARGET_P99_MS, "(c) same slots as naive": fast == slow}
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
