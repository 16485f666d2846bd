"""The KPI definitions: one pure function per KPI over a month's facts, and the
product's targets (docs/product.md) as data. docs/kpis.md explains each one for humans.

A rate is a Decimal in [0, 1] rounded half-up to 6 places; it is None when its
denominator is zero (no data is not 0 %). Counts are ints, money is integer fen.
Every KPI is None, shown as "no data", when the events it is computed from did not occur
in the month: no complaint opened or resolved, no ordinary order paid, no debit attempted,
no plan revenue or no ordinary customer to date. A source that is silent is not a 0 %
(or 100 %) that meets a target.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy

from pawpact.core.money import Money
from pawpact.platform.enums import Kpi

PLACES = Decimal("0.000001")
NO_DATA = gettext_lazy("no data")


class MonthFacts(Protocol):
    """What the functions read: a ShopMonthlyKpi row, or anything with these fields."""

    signings: int
    plan_revenue_minor: int
    total_revenue_minor: int
    debits_attempted: int
    debits_succeeded: int
    active_contracts: int
    overdue_contracts: int
    receivable_minor: int
    bad_debt_minor: int
    complaints: int
    complaints_resolved: int
    customers: int
    renewals_due: int
    renewals: int
    plan_customer_ltv_minor: int
    ordinary_customer_ltv_minor: int


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator, exact then rounded once; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


def debit_success_rate(facts: MonthFacts) -> Decimal | None:
    """Debits that succeeded / debits attempted (every attempt, retries included)."""
    return ratio(facts.debits_succeeded, facts.debits_attempted)


def renewal_rate(facts: MonthFacts) -> Decimal | None:
    """Contracts renewed / contracts that completed in the month (renewals due)."""
    return ratio(facts.renewals, facts.renewals_due)


def overdue_rate(facts: MonthFacts) -> Decimal | None:
    """Active contracts with an overdue period / active contracts, at the month's end."""
    return ratio(facts.overdue_contracts, facts.active_contracts)


def bad_debt_rate(facts: MonthFacts) -> Decimal | None:
    """Amount written off in the month / amount that fell due in the month (receivable)."""
    return ratio(facts.bad_debt_minor, facts.receivable_minor)


def complaint_rate(facts: MonthFacts) -> Decimal | None:
    """Complaints opened in the month / the month's customers; no data when the month saw no
    complaint opened or resolved (the shop's complaints may not reach the platform at all)."""
    if not facts.complaints and not facts.complaints_resolved:
        return None
    return ratio(facts.complaints, facts.customers)


def plan_revenue_share(facts: MonthFacts) -> Decimal | None:
    """Plan revenue / total revenue (plan debits collected + ordinary orders and paid
    memberships, net of refunds); no data without such other revenue in the month, which
    would make it 100 % by default."""
    if facts.total_revenue_minor <= facts.plan_revenue_minor:
        return None
    return ratio(facts.plan_revenue_minor, facts.total_revenue_minor)


def ltv_ratio(facts: MonthFacts) -> Decimal | None:
    """Average lifetime revenue of a plan customer / that of an ordinary customer; no data
    until both kinds of customer have paid something."""
    if not facts.plan_customer_ltv_minor:
        return None
    return ratio(facts.plan_customer_ltv_minor, facts.ordinary_customer_ltv_minor)


def signings(facts: MonthFacts) -> int | None:
    """Contracts signed (and started) in the month, renewals included; no data when the
    month had no contract event and no debit at all."""
    if not facts.signings and not facts.debits_attempted and not facts.renewals_due:
        return None
    return facts.signings


def plan_revenue(facts: MonthFacts) -> int | None:
    """Plan debits collected in the month, in fen; no data when no debit was attempted."""
    if not facts.debits_attempted:
        return None
    return facts.plan_revenue_minor


class Unit:
    RATE = "rate"  # shown as a percentage
    RATIO = "ratio"  # shown as "2.10×"
    COUNT = "count"
    MONEY = "money"  # integer fen


class Direction:
    AT_LEAST = "at_least"  # the target is a floor: higher is better
    AT_MOST = "at_most"  # the target is a ceiling: lower is better


@dataclass(frozen=True)
class KpiDefinition:
    kpi: Kpi
    compute: Callable[[MonthFacts], Decimal | int | None]
    unit: str
    direction: str  # which way is better, also for KPIs without a target
    target: Decimal | None = None

    @property
    def label(self) -> str:
        return str(self.kpi.label)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.AT_LEAST

    def target_met(self, value: Decimal | int | None) -> bool | None:
        """Whether `value` meets the product's target; None when there is no target or no value."""
        if self.target is None or value is None:
            return None
        if self.direction == Direction.AT_LEAST:
            return Decimal(value) >= self.target
        return Decimal(value) <= self.target


# The product's targets (docs/product.md): debit success ≥ 98 %, renewal ≥ 60 %, overdue ≤ 3 %, bad debt ≤ 1 %,
# complaints ≤ 2 %, plan revenue share ≥ 40 %, plan customers' LTV ≥ 2 × ordinary customers'.
DEFINITIONS: dict[str, KpiDefinition] = {
    d.kpi.value: d
    for d in (
        KpiDefinition(Kpi.DEBIT_SUCCESS_RATE, debit_success_rate, Unit.RATE, Direction.AT_LEAST, Decimal("0.98")),
        KpiDefinition(Kpi.RENEWAL_RATE, renewal_rate, Unit.RATE, Direction.AT_LEAST, Decimal("0.60")),
        KpiDefinition(Kpi.OVERDUE_RATE, overdue_rate, Unit.RATE, Direction.AT_MOST, Decimal("0.03")),
        KpiDefinition(Kpi.BAD_DEBT_RATE, bad_debt_rate, Unit.RATE, Direction.AT_MOST, Decimal("0.01")),
        KpiDefinition(Kpi.COMPLAINT_RATE, complaint_rate, Unit.RATE, Direction.AT_MOST, Decimal("0.02")),
        KpiDefinition(Kpi.PLAN_REVENUE_SHARE, plan_revenue_share, Unit.RATE, Direction.AT_LEAST, Decimal("0.40")),
        KpiDefinition(Kpi.LTV_RATIO, ltv_ratio, Unit.RATIO, Direction.AT_LEAST, Decimal("2")),
        KpiDefinition(Kpi.SIGNINGS, signings, Unit.COUNT, Direction.AT_LEAST),
        KpiDefinition(Kpi.PLAN_REVENUE, plan_revenue, Unit.MONEY, Direction.AT_LEAST),
    )
}


def definition_get(kpi: str) -> KpiDefinition:
    return DEFINITIONS[kpi]


def kpi_values(facts: MonthFacts) -> dict[str, Decimal | int | None]:
    """Every KPI of `facts`, in the order of pawpact.platform.enums.Kpi."""
    return {kpi: definition.compute(facts) for kpi, definition in DEFINITIONS.items()}


def to_json(value: Decimal | int | None) -> str | int | None:
    """How a value is kept in ShopMonthlyKpi.values: Decimals as strings, so nothing is lost."""
    return str(value) if isinstance(value, Decimal) else value


def from_json(kpi: str, value) -> Decimal | int | None:
    if value is None:
        return None
    if DEFINITIONS[kpi].unit in (Unit.COUNT, Unit.MONEY):
        return int(value)
    return Decimal(str(value))


def kpi_format(kpi: str, value: Decimal | int | None, currency: str = "CNY") -> str:
    """A value for people: 98.50%, 2.10×, 30, ¥12,570.00; "no data" when there is none."""
    if value is None:
        return str(NO_DATA)
    unit = DEFINITIONS[kpi].unit
    if unit == Unit.RATE:
        return f"{(Decimal(value) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    if unit == Unit.RATIO:
        return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}×"
    if unit == Unit.MONEY:
        return Money(int(Decimal(value).to_integral_value(rounding=ROUND_HALF_UP)), currency).format()
    return f"{int(Decimal(value).to_integral_value(rounding=ROUND_HALF_UP)):,}"


def target_format(kpi: str) -> str:
    """"≥ 98.00%", "≤ 3.00%", "≥ 2.00×", or "" for KPIs without a target."""
    definition = DEFINITIONS[kpi]
    if definition.target is None:
        return ""
    sign = "≥" if definition.direction == Direction.AT_LEAST else "≤"
    return f"{sign} {kpi_format(kpi, definition.target)}"

