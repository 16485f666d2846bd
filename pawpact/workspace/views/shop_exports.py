"""Exports of the storefront's staff lists (orders, parcels, the catalog) as XLSX or CSV.
The pages live in the storefront, below the workspace; their ?export= links land here, where
workspace/exports.py writes them. The catalog's export carries costs and margins, so only
roles that may see them get it."""
from django.utils.translation import gettext_lazy

from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, OrderStatus
from pawpact.storefront.models import Order, Product, order_number
from pawpact.storefront.selectors import catalog_skus, fulfilment_list
from pawpact.storefront.services.catalog import linked_warehouse_id, margin
from pawpact.warehouses.enums import SkuCategory
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local, yuan
from pawpact.workspace.views.frame import workspace_view


def _order_number(created_at, pk) -> str:
    """As the pages show it (Order.number)."""
    return "" if pk is None else order_number(created_at, pk)


def _parcel_order(created_at, pk, reshipped_created_at, reshipped_pk) -> str:
    """A reship carries the number of the order it sends again, as the parcels page shows it."""
    return _order_number(created_at, pk) if pk is not None else _order_number(reshipped_created_at, reshipped_pk)


def _percent(price_minor, cost_minor) -> str:
    return f"{margin(price_minor, cost_minor) * 100:.1f}%"


ORDER_COLUMNS = [
    column(gettext_lazy("Order"), "created_at", "pk", show=_order_number),
    column(gettext_lazy("Customer"), "customer__name"),
    column(gettext_lazy("Mobile phone"), "customer__phone"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(OrderStatus(value).label)),
    column(gettext_lazy("Subtotal (¥)"), "subtotal_minor", show=yuan),
    column(gettext_lazy("Discount (¥)"), "discount_minor", show=yuan),
    column(gettext_lazy("Total (¥)"), "total_minor", show=yuan),
    column(gettext_lazy("Refunded (¥)"), "refunded_minor", show=yuan),
    column(gettext_lazy("Created at"), "created_at", show=local),
    column(gettext_lazy("Paid at"), "paid_at", show=local),
]
PARCEL_COLUMNS = [
    column(gettext_lazy("Parcel"), "kind", show=lambda value: str(FulfilmentKind(value).label)),
    column(gettext_lazy("Order"), "order__created_at", "order_id", "reship_of__order__created_at", "reship_of__order_id",
           show=_parcel_order),
    column(gettext_lazy("Month"), "period_number", "reship_of__period_number", show=lambda own, of: own or of),
    column(gettext_lazy("Customer"), "customer__name"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(FulfilmentStatus(value).label)),
    column(gettext_lazy("Carrier"), "carrier"),
    column(gettext_lazy("Tracking number"), "tracking_number"),
    column(gettext_lazy("Created at"), "created_at", show=local),
    column(gettext_lazy("Promised by"), "due_at", show=local),
    column(gettext_lazy("Dispatched at"), "dispatched_at", show=local),
    column(gettext_lazy("Delivered at"), "delivered_at", show=local),
]
def _catalog_columns(products: dict[int, tuple[int, bool]]) -> list:
    """The catalog's columns over the warehouse's SKUs; a SKU this shop does not sell has no
    price, margin or listing (`products`: SKU id → (price, listed) of this shop)."""
    def price(pk):
        return yuan(products[pk][0]) if pk in products else None

    def listed(pk):
        if pk not in products:
            return str(gettext_lazy("Not on sale"))
        return str(gettext_lazy("On sale") if products[pk][1] else gettext_lazy("Not listed"))

    return [
        column("SKU", "sku"),
        column(gettext_lazy("Product"), "name"),
        column(gettext_lazy("Product (English)"), "name_en"),
        column(gettext_lazy("Category"), "category", show=lambda value: str(SkuCategory(value).label)),
        column(gettext_lazy("Stock"), "available", "reserved", show=lambda a, r: max(a - r, 0)),
        column(gettext_lazy("Cost (¥)"), "cost_minor", show=yuan),
        column(gettext_lazy("Shop price (¥)"), "pk", show=price),
        column(gettext_lazy("Margin"), "pk", "cost_minor",
               show=lambda pk, cost: _percent(products[pk][0], cost) if pk in products else ""),
        column(gettext_lazy("On sale"), "pk", show=listed),
    ]


@workspace_view(section="orders")
def orders_export(request):
    rows = Order.objects.select_related("customer").order_by("-id")
    return export_response(request, rows, ORDER_COLUMNS, name="orders")


@workspace_view(section="orders")
def parcels_export(request):
    return export_response(request, fulfilment_list().order_by("-id"), PARCEL_COLUMNS, name="parcels")


@workspace_view(Action.CATALOG_EDIT, section="catalog")
def catalog_export(request):
    """Every SKU the catalog page lists for the same search and category (all pages, on sale
    here or not), with this shop's price and whether it is on sale."""
    skus = catalog_skus(query=request.GET.get("q", "").strip(), category=request.GET.get("category", ""))
    products = {sku_id: (price, listed) for sku_id, price, listed in Product.objects.filter(
        warehouse_sku__warehouse_id=linked_warehouse_id() or 0).values_list("warehouse_sku_id", "price_minor", "is_listed")}
    return export_response(request, skus, _catalog_columns(products), name="catalog")
