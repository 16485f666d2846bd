"""Reads of the storefront: what a shop sells now, carts, orders, parcels, SLA breaches."""
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from pawpact.billing.services.reconciliation import ChargeRecord
from pawpact.customers.models import Customer
from pawpact.storefront.enums import FulfilmentStatus, PaymentStatus, ReshipStatus
from pawpact.storefront.models import (
    CartLine,
    Fulfilment,
    Order,
    OrderLine,
    OrderPayment,
    PlanBoxItem,
    Product,
    ReshipRequest,
    order_number,
)
from pawpact.storefront.services.catalog import current_shop, linked_warehouse_id
from pawpact.warehouses.enums import SkuCategory
from pawpact.warehouses.models import WarehouseLink, WarehouseSku


def _sellable_q(prefix: str = "warehouse_sku__") -> Q:
    return Q(**{f"{prefix}is_active": True, f"{prefix}available__gt": F(f"{prefix}reserved")})


def product_list(*, category: str = "", include_unavailable: bool = False) -> QuerySet[Product]:
    """The shop's products from its linked warehouse; by default only those a customer can
    buy now (listed and in stock): a sold-out SKU is delisted the moment stock says so."""
    warehouse_id = linked_warehouse_id()
    products = Product.objects.select_related("warehouse_sku").filter(warehouse_sku__warehouse_id=warehouse_id or 0)
    if not include_unavailable:
        products = products.filter(_sellable_q(), is_listed=True)
    if category:
        products = products.filter(warehouse_sku__category=category)
    return products.order_by("warehouse_sku__category", "id")


def product_is_sellable(product: Product, *, warehouse_id: int | None = None) -> bool:
    """`warehouse_id`: the shop's linked warehouse when the caller has read it already (one
    query for a whole cart instead of one per line)."""
    linked = warehouse_id if warehouse_id is not None else linked_warehouse_id()
    return product.is_listed and product.warehouse_sku.warehouse_id == linked and product.warehouse_sku.sellable > 0


@dataclass(frozen=True)
class CartView:
    lines: list[CartLine]
    subtotal_minor: int
    warehouse_id: int | None = None  # the shop's linked warehouse, read with the lines for a checkout

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def cart_get(*, customer: Customer, with_warehouse: bool = False) -> CartView:
    """`with_warehouse`: the linked warehouse's id comes in the same statement as the lines
    (a checkout needs both; one round trip fewer for every buyer)."""
    lines = CartLine.objects.filter(customer=customer).select_related("product__warehouse_sku")
    if with_warehouse:
        link = WarehouseLink.objects.filter(shop_id=current_shop().pk).values("warehouse_id")[:1]
        lines = lines.annotate(linked_warehouse_id=Subquery(link))
    lines = list(lines)
    return CartView(lines=lines, subtotal_minor=sum(line.product.price_minor * line.quantity for line in lines),
                    warehouse_id=lines[0].linked_warehouse_id if with_warehouse and lines else None)  # fmt: skip


def catalog_skus(*, query: str = "", category: str = "") -> QuerySet[WarehouseSku]:
    """The linked warehouse's SKUs as the staff catalog lists them (on sale here or not),
    by SKU, name or English name and category: the page and its export read the same rows."""
    skus = WarehouseSku.objects.filter(warehouse_id=linked_warehouse_id() or 0)
    if query:
        skus = skus.filter(Q(sku__icontains=query) | Q(name__icontains=query) | Q(name_en__icontains=query))
    if category in SkuCategory.values:
        skus = skus.filter(category=category)
    return skus.order_by("sku")


def order_list(*, customer: Customer | None = None) -> QuerySet[Order]:
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("warehouse_sku"))
    orders = Order.objects.select_related("customer", "fulfilment").prefetch_related(lines)
    return orders.filter(customer=customer) if customer is not None else orders


def fulfilment_list() -> QuerySet[Fulfilment]:
    return Fulfilment.objects.select_related("customer", "order", "reship_of__order", "contract__plan_version__plan",
                                             "reship_of__contract__plan_version__plan")


def reship_pending_list() -> QuerySet[ReshipRequest]:
    """Plan boxes' reship requests waiting for the shop's decision, oldest first."""
    return (ReshipRequest.objects.filter(status=ReshipStatus.PENDING)
            .select_related("customer", "fulfilment__contract__plan_version__plan")
            .prefetch_related("photos", "fulfilment__lines__warehouse_sku", "items__line__warehouse_sku")
            .order_by("created_at", "id"))  # fmt: skip


def reship_recent_list() -> QuerySet[ReshipRequest]:
    """Reship requests already on their way or answered (orders' go out at once), newest first."""
    return (ReshipRequest.objects.exclude(status=ReshipStatus.PENDING)
            .select_related("customer", "reship", "fulfilment__order")
            .prefetch_related("photos", "items__line__warehouse_sku").order_by("-created_at", "-id"))  # fmt: skip


def order_reships(*, order: Order) -> list[ReshipRequest]:
    """An order's reship requests with what was asked again and the customer's photos."""
    return list(ReshipRequest.objects.filter(fulfilment__order=order).select_related("reship")
                .prefetch_related("photos", "items__line__warehouse_sku").order_by("created_at", "id"))  # fmt: skip


def sla_breach_list(*, now=None) -> QuerySet[Fulfilment]:
    """Parcels past their promised dispatch (open), or dispatched late."""
    now = now or timezone.now()
    late_open = Q(status=FulfilmentStatus.SENT, due_at__lt=now)
    late_done = Q(dispatched_at__isnull=False, due_at__isnull=False, dispatched_at__gt=F("due_at"))
    return fulfilment_list().filter(late_open | late_done).order_by("due_at")


def order_charges_for_reconciliation(*, rail: str, livemode: bool, start, end) -> list[ChargeRecord]:
    """Every charge of an order sent to `rail` in one mode (any state), for the providers'
    statements (settings.PAWPACT_RECONCILIATION_CHARGES): a succeeded one with its amount and
    when it was recorded, the others as sent but not moved. The refunds of orders reach the
    statement check as RailRefund rows."""
    payments = OrderPayment.objects.filter(rail=rail, order__payment_method__livemode=livemode).values_list(
        "idempotency_key", "status", "amount_minor", "finished_at", "order__customer__name", "order__created_at",
        "order_id",
    )
    return [
        ChargeRecord(key, amount if status == PaymentStatus.SUCCEEDED else 0,
                     finished if status == PaymentStatus.SUCCEEDED else None, customer, order_number(placed, order_id))
        for key, status, amount, finished, customer, placed, order_id in payments
    ]  # fmt: skip


@dataclass(frozen=True)
class WarehouseChange:
    """What moving the shop to another warehouse takes away: the products and plan box items
    that name the current warehouse's SKUs go off sale / out of the boxes until re-chosen."""

    products_off_sale: int
    box_items_dropped: int


def warehouse_change_effect(*, warehouse_id: int) -> WarehouseChange:
    listed = product_list().exclude(warehouse_sku__warehouse_id=warehouse_id).count()
    items = PlanBoxItem.objects.exclude(warehouse_sku__warehouse_id=warehouse_id).count()
    return WarehouseChange(products_off_sale=listed, box_items_dropped=items)


@dataclass(frozen=True)
class RefundRow:
    """One refund of an order as staff see it: on the payment rail or back to the stored value."""

    amount_minor: int
    reason: str
    note: str
    by: str
    at: object
    to_stored_value: bool
    status: str = ""
    last_error: str = ""


def order_refund_rows(*, order: Order) -> list[RefundRow]:
    """Every refund of the order, oldest first: the rail's and the stored value's alike."""
    rail = [RefundRow(amount_minor=r.amount_minor, reason=r.get_reason_display(), note=r.note,
                      by=_who(r.refunded_by), at=r.started_at, to_stored_value=False,
                      status=r.get_status_display(), last_error="" if r.status == PaymentStatus.SUCCEEDED else r.last_error)
            for r in order.refunds.select_related("refunded_by")]  # fmt: skip
    stored = [RefundRow(amount_minor=r.amount_minor, reason=r.get_reason_display(), note=r.note,
                        by=_who(r.refunded_by), at=r.returned_at, to_stored_value=True)
              for r in order.stored_value_returns.select_related("refunded_by")]  # fmt: skip
    return sorted(rail + stored, key=lambda row: row.at)


def _who(user) -> str:
    return (user.name or user.email) if user is not None else ""


def declined_payments_prefetch() -> Prefetch:
    """For a list of orders: their declined payments in one query, read by order_decline_outcome."""
    declined = OrderPayment.objects.filter(status=PaymentStatus.FAILED).order_by("-number")
    return Prefetch("payments", queryset=declined, to_attr="declined_payments")


def order_decline_outcome(*, order: Order) -> str:
    """The rail's outcome of an order's last declined payment ("" if none was declined)."""
    declined = getattr(order, "declined_payments", None)
    if declined is not None:
        return declined[0].outcome if declined else ""
    payment = order.payments.filter(status=PaymentStatus.FAILED).order_by("-number").first()
    return payment.outcome if payment is not None else ""
