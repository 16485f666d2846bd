"""Cross-shop benchmarks: each KPI's quartiles across shops for one month.

A benchmark is stored only when at least MIN_SHOPS shops have a value for that KPI and
month, so no quartile can single out one shop. Shops see only these three numbers
(and their own value); the ranking of named shops is for platform admins.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models.fields.json import KT
from django_tenants.utils import get_public_schema_name

from pawpact.core.clock import Clock, default_clock
from pawpact.core.months import month_start
from pawpact.platform.kpis.definitions import DEFINITIONS, PLACES
from pawpact.platform.models import KpiBenchmark, ShopMonthlyKpi

MIN_SHOPS = 5


@dataclass(frozen=True)
class Quartiles:
    p25: Decimal
    p50: Decimal
    p75: Decimal


def percentile(sorted_values: list[Decimal], fraction: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont, Excel's
    PERCENTILE.INC), exact in Decimal and rounded half-up to 6 places."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    value = sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def quartiles(values: list[Decimal | int]) -> Quartiles:
    ordered = sorted(Decimal(value) for value in values)
    return Quartiles(*(percentile(ordered, Decimal(q)) for q in ("0.25", "0.5", "0.75")))


def month_values(*, month: date, kpi: str) -> list[Decimal]:
    """Every shop's value of `kpi` for `month` (shops without a value left out)."""
    raw = (
        ShopMonthlyKpi.objects.filter(month=month_start(month))
        .exclude(shop__schema_name=get_public_schema_name())
        .annotate(value=KT(f"values__{kpi}"))
        .filter(value__isnull=False)
        .values_list("value", flat=True)
    )
    return [Decimal(value) for value in raw]


def kpi_benchmarks_compute(*, month: date, clock: Clock = default_clock) -> list[KpiBenchmark]:
    """(Re)compute every KPI's quartiles for `month`; a KPI with fewer than MIN_SHOPS
    contributing shops gets no benchmark (and loses a stale one). Idempotent."""
    month = month_start(month)
    stored = []
    with transaction.atomic():
        for kpi in DEFINITIONS:
            values = month_values(month=month, kpi=kpi)
            if len(values) < MIN_SHOPS:
                KpiBenchmark.objects.filter(month=month, kpi=kpi).delete()
                continue
            q = quartiles(values)
            benchmark, _created = KpiBenchmark.objects.update_or_create(
                month=month,
                kpi=kpi,
                defaults={"shops": len(values), "p25": q.p25, "p50": q.p50, "p75": q.p75, "computed_at": clock.now()},
            )
            stored.append(benchmark)
    return stored

