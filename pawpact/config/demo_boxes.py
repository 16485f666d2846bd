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


# What a plan's box holds, by the plan's rank in price: the cheapest plan food and litter, the
# dearer ones snacks too (as their scope of use says), with more of the budget per item.
BOX_CATEGORIES = (("food", "litter"), ("food", "litter", "snacks"), ("food", "litter", "snacks"))


def _box_items_fill() -> int:
    """Box items for each plan on sale that has none: per category the dearest product that fits
    its share of BOX_COST_SHARE of the monthly price, so dearer plans get richer boxes."""
    on_sale: dict[str, list] = {}
    for product in product_list().order_by("warehouse_sku__cost_minor", "warehouse_sku__sku"):
        on_sale.setdefault(product.warehouse_sku.category, []).append(product.warehouse_sku)
    if not on_sale:
        return 0
    filled = 0
    plans = sorted(((plan, plan.versions.order_by("-version").first()) for plan in Plan.objects.filter(is_active=True)),
                   key=lambda pair: (pair[1].monthly_price_minor if pair[1] else 0, pair[0].pk))  # fmt: skip
    prices = sorted({version.monthly_price_minor for _plan, version in plans if version is not None})
    for _plan, version in plans:
        if version is None or PlanBoxItem.objects.filter(plan_version=version).exists():
            continue
        rank = min(prices.index(version.monthly_price_minor), len(BOX_CATEGORIES) - 1)  # plans of one price: one box
        categories = [c for c in BOX_CATEGORIES[rank] if c in on_sale]
        budget, items = version.monthly_price_minor * BOX_COST_SHARE // 100, []
        for left, category in zip(range(len(categories), 0, -1), categories):
            fitting = [sku for sku in on_sale[category] if sku.cost_minor <= budget // left]
            if fitting:
                items.append((fitting[-1].sku, 1))
                budget -= fitting[-1].cost_minor
        cheapest = min((skus[0] for skus in on_sale.values()), key=lambda sku: (sku.cost_minor, sku.sku))
        plan_box_set(plan_version=version, items=items or [(cheapest.sku, 1)])
        filled += 1
    return filled


def _address_give(customer) -> None:
    if not ShippingAddress.objects.filter(customer=customer).exists():
        ShippingAddress.objects.create(customer=customer, name=customer.name, phone=customer.phone, **DEMO_ADDRESS)
