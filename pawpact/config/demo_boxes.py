"""Plan boxes for the demo shops: each plan on sale gets box items from the shop's catalog
(cheap enough to keep the plan's gross margin well above 50%), the demo customers a delivery
address, and every running contract's latest paid month its box, so the pages that follow
boxes (the customer's /shop/boxes/, the parcels page, committed demand) have something real."""
from pawpact.billing.enums import PeriodStatus
from pawpact.billing.models import Contract, DebitPeriod, Plan
from pawpact.storefront.models import PlanBoxItem, ShippingAddress
from pawpact.storefront.selectors import product_list
from pawpact.storefront.services.catalog import plan_box_set
from pawpact.storefront.services.demand import demand_compute
from pawpact.storefront.services.plan_boxes import SHIPPING_CONTRACT_STATUSES, box_create

BOX_COST_SHARE = 35  # the box costs at most this percent of the monthly price
DEMO_ADDRESS = {"province": "上海市", "city": "上海市", "district": "浦东新区", "address": "世纪大道 100 号"}


def demo_boxes_load() -> list[str]:
    """In a demo shop's schema, after its products are on sale. Only what is missing is done."""
    notes = []
    filled = _box_items_fill()
    if filled:
        notes.append(f"box items set for {filled} plans")
    shipped = 0
    contracts = Contract.objects.filter(status__in=SHIPPING_CONTRACT_STATUSES).select_related("customer")
    for contract in contracts:
        _address_give(contract.customer)
        paid = DebitPeriod.objects.filter(contract=contract, status=PeriodStatus.PAID).order_by("-number").first()
        if paid is not None and box_create(contract=contract, period_number=paid.number) is not None:
            shipped += 1
    if shipped and filled:
        notes.append(f"{shipped} boxes made for paid months")
    demand_compute()  # the console's committed demand reads these boxes at once, not after the nightly run
    return notes


def _box_items_fill() -> int:
    """Box items for each plan on sale that has none: the cheapest product of each category,
    as long as the box stays within BOX_COST_SHARE of the monthly price."""
    cheapest = {}
    for product in product_list().order_by("warehouse_sku__cost_minor", "warehouse_sku__sku"):
        cheapest.setdefault(product.warehouse_sku.category, product.warehouse_sku)
    if not cheapest:
        return 0
    filled = 0
    for plan in Plan.objects.filter(is_active=True):
        version = plan.versions.order_by("-version").first()
        if version is None or PlanBoxItem.objects.filter(plan_version=version).exists():
            continue
        budget, items = version.monthly_price_minor * BOX_COST_SHARE // 100, []
        for sku in sorted(cheapest.values(), key=lambda s: (s.cost_minor, s.sku)):
            if sku.cost_minor <= budget:
                items.append((sku.sku, 1))
                budget -= sku.cost_minor
        plan_box_set(plan_version=version, items=items or [(min(cheapest.values(), key=lambda s: s.cost_minor).sku, 1)])
        filled += 1
    return filled


def _address_give(customer) -> None:
    if not ShippingAddress.objects.filter(customer=customer).exists():
        ShippingAddress.objects.create(customer=customer, name=customer.name, phone=customer.phone, **DEMO_ADDRESS)
