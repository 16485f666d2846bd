"""The shop's catalog: products chosen from its warehouse, and what plan boxes hold.

Margins: a drop-ship product below 35% and a plan whose box costs leave less than 50%
gross margin are flagged for staff (SPEC §3); a price below cost is refused unless
confirmed.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.billing.models import PlanVersion
from pawpact.core.clock import Clock, default_clock
from pawpact.storefront.errors import PriceBelowCost, ProductInvalid, WarehouseChangeRefused
from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.models import Fulfilment, PlanBoxItem, Product
from pawpact.tenants.models import Shop
from pawpact.warehouses.errors import NOT_LINKED
from pawpact.warehouses.models import Warehouse, WarehouseLink, WarehouseSku
from pawpact.warehouses.services import shop_link

DROP_SHIP_MIN_MARGIN = Decimal("0.35")
PLAN_MIN_MARGIN = Decimal("0.50")
MAX_PRICE_MINOR = 10_000_000  # ¥100,000


def margin(price_minor: int, cost_minor: int) -> Decimal:
    """(price − cost) / price, to 0.1%."""
    if price_minor <= 0:
        return Decimal("0")
    return (Decimal(price_minor - cost_minor) / Decimal(price_minor)).quantize(Decimal("0.001"), ROUND_HALF_UP)


def current_shop() -> Shop:
    """The shop whose schema the connection is in (a request's tenant, or a task's)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Shop):
        return tenant
    return Shop.objects.get(schema_name=connection.schema_name)


def linked_warehouse_id() -> int | None:
    return WarehouseLink.objects.filter(shop__schema_name=connection.schema_name).values_list("warehouse_id", flat=True).first()


def warehouse_link_set(*, warehouse_id: int) -> WarehouseLink:
    """Link the current shop to an onboarded warehouse. Moving to another one is refused while
    parcels are still open at the old one (they would have no warehouse to report back to)."""
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise ProductInvalid(_("Choose one of the listed warehouses."), fields={"warehouse": [_("Unknown warehouse.")]})
    current = linked_warehouse_id()
    if current is not None and current != warehouse.pk:
        open_parcels = Fulfilment.objects.filter(warehouse_id=current, status__in=(
            FulfilmentStatus.HELD, FulfilmentStatus.WAITING, FulfilmentStatus.SENT, FulfilmentStatus.DISPATCHED)).count()  # fmt: skip
        if open_parcels:
            raise WarehouseChangeRefused(
                _("%(n)s parcels are still open at the current warehouse; change once they are delivered or cancelled.")
                % {"n": open_parcels}, fields={"warehouse": [_("Parcels still open.")]})  # fmt: skip
    return shop_link(shop=current_shop(), warehouse=warehouse)


def shop_sku_get(*, sku: str) -> WarehouseSku:
    """A SKU of the shop's linked warehouse, or ProductInvalid."""
    warehouse_id = linked_warehouse_id()
    if warehouse_id is None:
        raise ProductInvalid(str(NOT_LINKED), fields={"sku": [str(NOT_LINKED)]})
    found = WarehouseSku.objects.filter(warehouse_id=warehouse_id, sku=sku).first()
    if found is None:
        raise ProductInvalid(_("The warehouse has no SKU %(sku)s.") % {"sku": sku}, fields={"sku": [_("Unknown SKU.")]})
    return found


def _price_check(*, price_minor, cost_minor: int, confirm_below_cost: bool) -> None:
    if not isinstance(price_minor, int) or isinstance(price_minor, bool) or not 0 < price_minor <= MAX_PRICE_MINOR:
        raise ProductInvalid(_("Enter a price between ¥0.01 and ¥100,000."), fields={"price": [_("Out of range.")]})
    if price_minor < cost_minor and not confirm_below_cost:
        raise PriceBelowCost(
            _("The price is below the warehouse's cost: confirm to sell at a loss."),
            fields={"price": [_("Below cost: tick the confirmation to sell at a loss.")]},
        )


def product_save(*, sku: str, price_minor: int, is_listed: bool = True, confirm_below_cost: bool = False) -> Product:
    """Add a warehouse SKU to the shop's catalog, or change its price and listing."""
    warehouse_sku = shop_sku_get(sku=sku)
    _price_check(price_minor=price_minor, cost_minor=warehouse_sku.cost_minor, confirm_below_cost=confirm_below_cost)
    with transaction.atomic():
        product, _created = Product.objects.update_or_create(
            warehouse_sku=warehouse_sku,
            defaults={"price_minor": price_minor, "is_listed": is_listed, "updated_at": timezone.now()},
        )
    product.warehouse_sku = warehouse_sku
    return product


def plan_box_set(*, plan_version: PlanVersion, items: list[tuple[str, int]], clock: Clock = default_clock) -> list[PlanBoxItem]:
    """Replace what a plan version's monthly box holds: (sku, quantity) pairs. The set it
    replaces is ended, not deleted: periods paid before now ship it, later ones the new set."""
    if not items:
        raise ProductInvalid(_("A box needs at least one item."), fields={"items": [_("Add an item.")]})
    now = clock.now()
    rows = []
    for index, (sku, quantity) in enumerate(items):
        if not isinstance(quantity, int) or not 1 <= quantity <= 99:
            raise ProductInvalid(_("Quantities are 1 to 99."), fields={f"items.{index}.quantity": [_("1 to 99.")]})
        rows.append(PlanBoxItem(plan_version=plan_version, warehouse_sku=shop_sku_get(sku=sku), quantity=quantity))
    try:
        with transaction.atomic():
            # The first set of a version holds from the start (valid_from None).
            ended = PlanBoxItem.objects.filter(plan_version=plan_version).update(valid_until=now)
            for row in rows:
                row.valid_from = now if ended else None
            return PlanBoxItem.objects.bulk_create(rows)
    except IntegrityError:
        raise ProductInvalid(_("Each SKU once per box."), fields={"items": [_("A SKU is listed twice.")]}) from None


@dataclass(frozen=True)
class PlanMargin:
    plan_version: PlanVersion
    box_cost_minor: int
    margin: Decimal
    is_low: bool
    has_box: bool


def plan_margins() -> list[PlanMargin]:
    """Every current plan version's gross margin, from its box items' costs."""
    versions = PlanVersion.objects.filter(plan__is_active=True).select_related("plan").order_by("plan_id", "-version")
    latest = {}
    for version in versions:
        latest.setdefault(version.plan_id, version)
    costs: dict[int, int] = {}
    for item in PlanBoxItem.objects.filter(plan_version__in=latest.values()).select_related("warehouse_sku"):
        costs[item.plan_version_id] = costs.get(item.plan_version_id, 0) + item.warehouse_sku.cost_minor * item.quantity
    result = []
    for version in latest.values():
        cost = costs.get(version.pk, 0)
        value = margin(version.monthly_price_minor, cost)
        result.append(PlanMargin(version, cost, value, is_low=version.pk in costs and value < PLAN_MIN_MARGIN,
                                 has_box=version.pk in costs))  # fmt: skip
    return result
