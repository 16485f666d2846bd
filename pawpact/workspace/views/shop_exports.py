"""Exports of the storefront's staff lists (orders, parcels, the catalog) as XLSX or CSV.
The pages live in the storefront, below the workspace; their ?export= links land here, where
workspace/exports.py writes them. The catalog's export carries costs and margins, so only
roles that may see them get it."""
from django.utils import timezone
from django.utils.translation import gettext_lazy

from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, OrderStatus
from pawpact.storefront.models import Order, Product
from pawpact.storefront.selectors import fulfilment_list
from pawpact.storefront.services.catalog import linked_warehouse_id, margin
from pawpact.warehouses.enums import SkuCategory
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local, yuan
from pawpact.workspace.views.frame import workspace_view


def _order_number(created_at, pk) -> str:
    """As the pages show it (Order.number: the shop's day of creation, then the id)."""
    return "" if pk is None else f"SO{timezone.localtime(created_at):%y%m%d}{pk:05d}"


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
    column(gettext_lazy("Order"), "order__created_at", "order_id", show=_order_number),
    column(gettext_lazy("Month"), "period_number"),
    column(gettext_lazy("Customer"), "customer__name"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(FulfilmentStatus(value).label)),
    column(gettext_lazy("Carrier"), "carrier"),
    column(gettext_lazy("Tracking number"), "tracking_number"),
    column(gettext_lazy("Created at"), "created_at", show=local),
    column(gettext_lazy("Promised by"), "due_at", show=local),
    column(gettext_lazy("Dispatched at"), "dispatched_at", show=local),
    column(gettext_lazy("Delivered at"), "delivered_at", show=local),
]
CATALOG_COLUMNS = [
    column("SKU", "warehouse_sku__sku"),
    column(gettext_lazy("Product"), "warehouse_sku__name"),
    column(gettext_lazy("Product (English)"), "warehouse_sku__name_en"),
    column(gettext_lazy("Category"), "warehouse_sku__category", show=lambda value: str(SkuCategory(value).label)),
    column(gettext_lazy("Stock"), "warehouse_sku__available", "warehouse_sku__reserved", show=lambda a, r: max(a - r, 0)),
    column(gettext_lazy("Cost (¥)"), "warehouse_sku__cost_minor", show=yuan),
    column(gettext_lazy("Shop price (¥)"), "price_minor", show=yuan),
    column(gettext_lazy("Margin"), "price_minor", "warehouse_sku__cost_minor", show=_percent),
    column(gettext_lazy("Listed"), "is_listed", show=lambda value: str(gettext_lazy("Yes") if value else gettext_lazy("No"))),
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
    """The shop's products from its warehouse, as the catalog's search and category show them."""
    rows = Product.objects.filter(warehouse_sku__warehouse_id=linked_warehouse_id() or 0)
    query, category = request.GET.get("q", "").strip(), request.GET.get("category", "")
    if query:
        rows = rows.filter(warehouse_sku__sku__icontains=query) | rows.filter(warehouse_sku__name__icontains=query) \
            | rows.filter(warehouse_sku__name_en__icontains=query)
    if category in SkuCategory.values:
        rows = rows.filter(warehouse_sku__category=category)
    return export_response(request, rows.order_by("warehouse_sku__sku"), CATALOG_COLUMNS, name="catalog")
