"""Reads of KPIs and benchmarks (public tables only: never a shop's schema).

A shop's reads take its id from the caller (the host's tenant) and return its own
values beside the anonymous quartiles; only `kpi_ranking` names shops, and only
platform pages call it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BigIntegerField, Count, DecimalField, F, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Greatest
from django_tenants.utils import get_public_schema_name

from pawpact.core.months import month_add, month_start
from pawpact.platform.enums import AdvanceStatus, PayoutStatus, PlatformAccount
from pawpact.platform.kpis.definitions import DEFINITIONS, from_json, kpi_format, target_format
from pawpact.platform.models import (
    Advance,
    Clawback,
    KpiBenchmark,
    MonthlyReport,
    Payout,
    PlatformLedgerLine,
    ShopMonthlyKpi,
)
from pawpact.platform.risk.selectors import PortfolioOverdue, portfolio_overdue, risk_state_counts
from pawpact.tenants.enums import ShopRiskState

DEFAULT_MONTHS = 12
MAX_MONTHS = 24


@dataclass(frozen=True)
class KpiRow:
    """One KPI of one shop for one month, beside the peers' quartiles (no other shop's value)."""

    kpi: str
    label: str
    unit: str
    value: Decimal | int | None
    p25: Decimal | None
    p50: Decimal | None
    p75: Decimal | None
    shops: int | None  # how many shops the quartiles are taken over; None: no benchmark
    target: Decimal | None
    target_met: bool | None
    higher_is_better: bool
    currency: str = "CNY"

    @property
    def value_display(self) -> str:
        return kpi_format(self.kpi, self.value, self.currency)

    @property
    def p25_display(self) -> str:
        return kpi_format(self.kpi, self.p25, self.currency)

    @property
    def p50_display(self) -> str:
        return kpi_format(self.kpi, self.p50, self.currency)

    @property
    def p75_display(self) -> str:
        return kpi_format(self.kpi, self.p75, self.currency)

    @property
    def target_display(self) -> str:
        return target_format(self.kpi)

    @property
    def quartile(self) -> int | None:
        """Where the shop stands among its peers: 1 (bottom quarter) … 4 (top quarter)."""
        if self.value is None or self.p50 is None:
            return None
        value = Decimal(self.value)
        rank = 1 + (value >= self.p25) + (value >= self.p50) + (value >= self.p75)
        return rank if self.higher_is_better else 5 - rank


def shop_latest_month(*, shop_id: int) -> date | None:
    return ShopMonthlyKpi.objects.filter(shop_id=shop_id).order_by("-month").values_list("month", flat=True).first()


def shop_kpi_months(*, shop_id: int, until: date, months: int = DEFAULT_MONTHS) -> list[ShopMonthlyKpi]:
    """The shop's monthly facts for the `months` months ending with `until`, oldest first."""
    until = month_start(until)
    return list(
        ShopMonthlyKpi.objects.filter(shop_id=shop_id, month__gt=month_add(until, -months), month__lte=until).order_by(
            "month"
        )
    )


def benchmarks_by_month(*, since: date, until: date) -> dict[tuple[date, str], KpiBenchmark]:
    rows = KpiBenchmark.objects.filter(month__gte=since, month__lte=until)
    return {(row.month, row.kpi): row for row in rows}


def _row(kpi: str, value, benchmark: KpiBenchmark | None, currency: str) -> KpiRow:
    definition = DEFINITIONS[kpi]
    return KpiRow(
        kpi=kpi,
        label=definition.label,
        unit=definition.unit,
        value=value,
        p25=benchmark.p25 if benchmark else None,
        p50=benchmark.p50 if benchmark else None,
        p75=benchmark.p75 if benchmark else None,
        shops=benchmark.shops if benchmark else None,
        target=definition.target,
        target_met=definition.target_met(value),
        higher_is_better=definition.higher_is_better,
        currency=currency,
    )


def shop_benchmark_rows(*, shop_id: int, month: date) -> list[KpiRow]:
    """Every KPI of the shop for `month`: its own value, the peers' quartiles, the target."""
    return shop_kpi_overview(shop_id=shop_id, until=month, months=1)[0]


@dataclass(frozen=True)
class KpiSeries:
    """One KPI over consecutive months: the shop's values and the peers' quartiles (None: no data)."""

    kpi: str
    label: str
    months: list[date]
    values: list[Decimal | int | None]
    p25: list[Decimal | None]
    p50: list[Decimal | None]
    p75: list[Decimal | None]
    target: Decimal | None


def shop_kpi_overview(
    *, shop_id: int, until: date, months: int = DEFAULT_MONTHS
) -> tuple[list[KpiRow], list[KpiSeries]]:
    """The shop's dashboard in two queries: every KPI for `until` beside the quartiles
    (rows), and every KPI's trend over the `months` months ending with `until` (series)."""
    until = month_start(until)
    calendar = [month_add(until, -offset) for offset in range(months - 1, -1, -1)]
    own = {
        month: (values, currency)
        for month, values, currency in ShopMonthlyKpi.objects.filter(
            shop_id=shop_id, month__gte=calendar[0], month__lte=until
        ).values_list("month", "values", "currency")
    }
    benchmarks = benchmarks_by_month(since=calendar[0], until=until)
    values, currency = own.get(until, ({}, "CNY"))
    rows = [_row(kpi, from_json(kpi, values.get(kpi)), benchmarks.get((until, kpi)), currency) for kpi in DEFINITIONS]
    series = []
    for kpi, definition in DEFINITIONS.items():
        marks = [benchmarks.get((month, kpi)) for month in calendar]
        series.append(
            KpiSeries(
                kpi=kpi,
                label=definition.label,
                months=calendar,
                values=[from_json(kpi, own.get(month, ({}, ""))[0].get(kpi)) for month in calendar],
                p25=[mark.p25 if mark else None for mark in marks],
                p50=[mark.p50 if mark else None for mark in marks],
                p75=[mark.p75 if mark else None for mark in marks],
                target=definition.target,
            )
        )
    return rows, series


# --- platform admins only ----------------------------------------------------------------


@dataclass(frozen=True)
class RankedShop:
    rank: int
    shop_id: int
    name: str
    slug: str
    risk_state: str
    value: Decimal | int
    kpi: str
    currency: str = "CNY"

    @property
    def value_display(self) -> str:
        return kpi_format(self.kpi, self.value, self.currency)

    @property
    def risk_state_label(self) -> str:
        return ShopRiskState(self.risk_state).label


def kpi_ranking(*, kpi: str, month: date) -> list[RankedShop]:
    """Every shop with a value of `kpi` for `month`, best first (ties by name). Platform only."""
    definition = DEFINITIONS[kpi]
    value = Cast(KT(f"values__{kpi}"), DecimalField(max_digits=30, decimal_places=6))
    rows = (
        ShopMonthlyKpi.objects.filter(month=month_start(month))
        .exclude(shop__schema_name=get_public_schema_name())
        .annotate(value=value)
        .filter(value__isnull=False)
        .order_by(F("value").desc() if definition.higher_is_better else F("value").asc(), "shop__name", "shop_id")
        .values_list("shop_id", "shop__name", "shop__slug", "shop__risk_state", "value", "currency")
    )
    return [
        RankedShop(rank=index, shop_id=shop_id, name=name, slug=slug, risk_state=risk_state,
                   value=from_json(kpi, raw), kpi=kpi, currency=currency)  # fmt: skip
        for index, (shop_id, name, slug, risk_state, raw, currency) in enumerate(rows, start=1)
    ]


def benchmark_get(*, kpi: str, month: date) -> KpiBenchmark | None:
    return KpiBenchmark.objects.filter(kpi=kpi, month=month_start(month)).first()


def benchmark_latest_month() -> date | None:
    return KpiBenchmark.objects.order_by("-month").values_list("month", flat=True).first()


@dataclass(frozen=True)
class Portfolio:
    """The platform's book, from the funding tables and the KPI facts."""

    currency: str
    advances_due_minor: int  # not yet paid to shops (pending or in a payout)
    advances_outstanding_minor: int  # paid to shops, not yet recovered by collections
    advances_paid_count: int
    collections_minor: int  # collected on funded contracts, to date
    clawbacks_minor: int
    payouts_paid_minor: int
    payouts_paid_count: int
    overdue: PortfolioOverdue
    risk_counts: dict[str, int]
    ledger_balances: list[tuple[str, str, int]]  # (account, label, balance), debit-positive
    ledger_total_minor: int  # 0 when the platform ledger balances


def portfolio_summary() -> Portfolio:
    advances = Advance.objects.aggregate(
        due=Sum("amount_minor", filter=Q(status__in=[AdvanceStatus.PENDING, AdvanceStatus.IN_PAYOUT])),
        outstanding=Sum(
            Greatest(F("amount_minor") - F("collected_minor"), Value(0), output_field=BigIntegerField()),
            filter=Q(status=AdvanceStatus.PAID),
        ),
        paid=Count("id", filter=Q(status=AdvanceStatus.PAID)),
        collected=Sum("collected_minor"),
    )
    payouts = Payout.objects.filter(status=PayoutStatus.PAID).aggregate(
        amount=Sum("amount_minor"), count=Count("id")
    )
    balances = dict(
        PlatformLedgerLine.objects.order_by().values_list("account").annotate(balance=Sum("amount_minor"))
    )
    return Portfolio(
        currency="CNY",
        advances_due_minor=advances["due"] or 0,
        advances_outstanding_minor=advances["outstanding"] or 0,
        advances_paid_count=advances["paid"],
        collections_minor=advances["collected"] or 0,
        clawbacks_minor=Clawback.objects.aggregate(total=Sum("amount_minor"))["total"] or 0,
        payouts_paid_minor=payouts["amount"] or 0,
        payouts_paid_count=payouts["count"],
        overdue=portfolio_overdue(),
        risk_counts=risk_state_counts(),
        ledger_balances=[
            (account, str(label), balances.get(account, 0)) for account, label in PlatformAccount.choices
        ],
        ledger_total_minor=sum(balances.values()),
    )


@dataclass(frozen=True)
class MonthTotal:
    """Across shops for one month; None where no shop has facts for it yet."""

    month: date
    plan_revenue_minor: int | None
    signings: int | None
    shops: int


def portfolio_months(*, until: date, months: int = DEFAULT_MONTHS) -> list[MonthTotal]:
    """Debits collected (plan revenue) and signings across shops per month, oldest first."""
    until = month_start(until)
    calendar = [month_add(until, -offset) for offset in range(months - 1, -1, -1)]
    totals = {
        row["month"]: row
        for row in ShopMonthlyKpi.objects.filter(month__gte=calendar[0], month__lte=until)
        .exclude(shop__schema_name=get_public_schema_name())
        .order_by()
        .values("month")
        .annotate(revenue=Sum("plan_revenue_minor"), signings=Sum("signings"), shops=Count("id"))
    }
    empty = {"revenue": None, "signings": None, "shops": 0}
    return [
        MonthTotal(
            month=month,
            plan_revenue_minor=totals.get(month, empty)["revenue"],
            signings=totals.get(month, empty)["signings"],
            shops=totals.get(month, empty)["shops"],
        )
        for month in calendar
    ]


def report_list(*, shop_id: int | None) -> list[MonthlyReport]:
    """A shop's monthly reports (shop_id None: the portfolio reports), newest first, without the files."""
    reports = MonthlyReport.objects.defer("csv", "xlsx").order_by("-month")
    reports = reports.filter(shop__isnull=True) if shop_id is None else reports.filter(shop_id=shop_id)
    return list(reports)


def report_get(*, shop_id: int | None, month: date) -> MonthlyReport | None:
    reports = MonthlyReport.objects.filter(month=month_start(month))
    return (reports.filter(shop__isnull=True) if shop_id is None else reports.filter(shop_id=shop_id)).first()
