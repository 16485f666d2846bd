"""Reads of shop risk, for the console and the platform API (public tables only)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet
from django_tenants.utils import get_public_schema_name

from pawpact.platform.models import ShopDailyRisk, ShopRiskChange, ShopRiskOverride
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from pawpact.tenants.selectors import shop_ready_list


def risk_shop_list() -> QuerySet[Shop]:
    """Shops the risk controls watch: the ready ones."""
    return shop_ready_list()


def risk_state_counts() -> dict[str, int]:
    """How many active shops are in each risk state (every state present, zeros included)."""
    counts = dict(risk_shop_list().order_by().values_list("risk_state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in ShopRiskState.values}


@dataclass(frozen=True)
class PortfolioOverdue:
    shops: int
    active_contracts: int
    overdue_contracts: int

    @property
    def rate(self) -> Decimal | None:
        if not self.active_contracts:
            return None
        return Decimal(self.overdue_contracts) / Decimal(self.active_contracts)


def latest_daily_risk_list() -> QuerySet[ShopDailyRisk]:
    """Each shop's most recent daily risk row."""
    return ShopDailyRisk.objects.order_by("shop_id", "-day").distinct("shop_id")


def portfolio_overdue() -> PortfolioOverdue:
    """Overdue and active contracts across active shops, each shop at its latest computed day."""
    rows = list(latest_daily_risk_list().filter(shop__in=risk_shop_list()).values_list(
        "active_contracts", "overdue_contracts"))  # fmt: skip
    return PortfolioOverdue(
        shops=len(rows),
        active_contracts=sum(active for active, _overdue in rows),
        overdue_contracts=sum(overdue for _active, overdue in rows),
    )


@dataclass(frozen=True)
class ShopRisk:
    shop: Shop
    computed_state: str
    override: ShopRiskOverride | None
    latest: ShopDailyRisk | None
    days: list[ShopDailyRisk]
    changes: list[ShopRiskChange]


def shop_risk_get(*, shop_id: int, days: int = 30, changes: int = 50) -> ShopRisk | None:
    shop = Shop.objects.exclude(schema_name=get_public_schema_name()).filter(pk=shop_id).first()
    if shop is None:
        return None
    history = list(ShopDailyRisk.objects.filter(shop=shop).order_by("-day")[:days])
    latest = history[0] if history else None
    return ShopRisk(
        shop=shop,
        computed_state=latest.state if latest else ShopRiskState.HEALTHY,
        override=ShopRiskOverride.objects.filter(shop=shop).select_related("actor").first(),
        latest=latest,
        days=history,
        changes=list(ShopRiskChange.objects.filter(shop=shop).select_related("actor").order_by("-at", "-id")[:changes]),
    )


def shops_at_risk_list() -> list[Shop]:
    """Active shops not healthy, or overridden, worst first."""
    order = {ShopRiskState.BLOCKED_NEW_SIGNINGS: 0, ShopRiskState.WATCH: 1, ShopRiskState.HEALTHY: 2}
    shops = risk_shop_list().filter(risk_state__in=[ShopRiskState.WATCH, ShopRiskState.BLOCKED_NEW_SIGNINGS]) | (
        risk_shop_list().filter(risk_override__isnull=False)
    )
    return sorted(shops.distinct().select_related("risk_override"), key=lambda s: (order[s.risk_state], s.name))


def risk_change_list(*, limit: int = 20) -> QuerySet[ShopRiskChange]:
    return ShopRiskChange.objects.select_related("shop", "actor").order_by("-at", "-id")[:limit]
