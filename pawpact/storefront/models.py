"""The shop's storefront: products chosen from the linked warehouse, plan boxes, carts,
orders and their payments, fulfilments sent to the warehouse, tracking and reships.

Amounts are integer fen (`*_minor`). Warehouse SKUs live in the public schema (their
stock is shared by every shop linked to the warehouse); rows here point at them by id.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.billing.models import Contract, PaymentMethod, PlanVersion
from pawpact.customers.models import Customer
from pawpact.payments.models import RailAnswer
from pawpact.storefront.enums import (
    FulfilmentKind,
    FulfilmentStatus,
    HoldReason,
    OrderStatus,
    PaymentStatus,
    RefundReason,
    ReshipReason,
    ReshipStatus,
)
from pawpact.warehouses.models import WarehouseSku


def _sku_field(**options):
    # A public row: no database constraint from a shop schema (schemas are copied from a template).
    return models.ForeignKey(WarehouseSku, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **options)


class Product(models.Model):
    """A warehouse SKU the shop sells, at the shop's price."""

    warehouse_sku = _sku_field()
    price_minor = models.BigIntegerField(_("price"))
    is_listed = models.BooleanField(_("listed"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse_sku"], name="product_sku_once"),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="product_price_positive"),
        ]


class CurrentBoxItems(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(valid_until__isnull=True)


class BoxItemHistory(models.QuerySet):
    def as_of(self, at):
        """The items a box held at `at`: a period ships what its box held when it was paid."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=at), Q(valid_until__isnull=True) | Q(valid_until__gt=at))


class PlanBoxItem(models.Model):
    """What one month's box of a plan version holds. An edit ends the rows it replaces rather
    than deleting them, so a period paid before the edit still ships what it was paid for."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="box_items")
    warehouse_sku = _sku_field()
    quantity = models.PositiveSmallIntegerField(default=1)
    valid_from = models.DateTimeField(null=True, blank=True)  # None: a version's first set, from the start
    valid_until = models.DateTimeField(null=True, blank=True)  # None: the current set

    objects = CurrentBoxItems()  # every reader but the box of a paid period wants the current set
    history = BoxItemHistory.as_manager()

    class Meta:
        ordering = ["id"]
        base_manager_name = "history"
        constraints = [models.UniqueConstraint(fields=["plan_version", "warehouse_sku"], condition=Q(valid_until__isnull=True),
                                               name="box_item_once")]  # fmt: skip


class ShippingAddress(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="shipping_address")
    name = models.CharField(_("recipient"), max_length=80)
    phone = models.CharField(_("phone"), max_length=32)
    province = models.CharField(_("province"), max_length=40)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("street address"), max_length=200)

    def as_payload(self) -> dict:
        return {key: getattr(self, key) for key in ("name", "phone", "province", "city", "district", "address")}


class CartLine(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cart_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="cart_line_once")]

    @property
    def total_minor(self) -> int:
        """What the line costs, as the order will show it."""
        return self.product.price_minor * self.quantity


class Order(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The developer's own key-value pairs (pawpact.core.metadata): stored as given, never read here.
    metadata = models.JSONField(default=dict, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    currency = models.CharField(max_length=3, default="CNY")
    subtotal_minor = models.BigIntegerField()
    discount_minor = models.BigIntegerField(default=0)
    discount_label = models.CharField(max_length=120, blank=True)
    total_minor = models.BigIntegerField()
    # Paid from the customer's stored value (the rest, total − this, on the payment rail), and
    # how much of it went back to the balance; refunded_minor counts both ways of giving back.
    stored_value_minor = models.BigIntegerField(default=0)
    stored_value_returned_minor = models.BigIntegerField(default=0)
    cost_minor = models.BigIntegerField()
    refunded_minor = models.BigIntegerField(default=0)
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, null=True, related_name="+")
    checkout_key = models.CharField(max_length=120, unique=True)  # a retried checkout finds its order
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal_minor__gt=0), name="order_subtotal_positive"),
            models.CheckConstraint(condition=Q(total_minor__gte=0, discount_minor__gte=0), name="order_total_ok"),
            models.CheckConstraint(condition=Q(refunded_minor__gte=0, refunded_minor__lte=models.F("total_minor")),
                                   name="order_refund_within_total"),
            models.CheckConstraint(condition=Q(stored_value_minor__gte=0, stored_value_minor__lte=models.F("total_minor"),
                                               stored_value_returned_minor__gte=0,
                                               stored_value_returned_minor__lte=models.F("stored_value_minor")),
                                   name="order_stored_value_within_total"),
        ]  # fmt: skip

    @property
    def rail_minor(self) -> int:
        """What the payment rail is asked for."""
        return self.total_minor - self.stored_value_minor

    @property
    def number(self) -> str:
        # The shop's day, like every time the API and pages show (not UTC's).
        return f"SO{timezone.localtime(self.created_at):%y%m%d}{self.pk:05d}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse_sku = _sku_field()
    name = models.CharField(max_length=200)
    quantity = models.PositiveSmallIntegerField()
    unit_price_minor = models.BigIntegerField()
    unit_cost_minor = models.BigIntegerField()

    class Meta:
        ordering = ["id"]

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


class OrderPayment(RailAnswer):
    """One try at charging an order; STARTED is committed before the rail is called."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=100, unique=True)
    rail = models.CharField(max_length=16)
    amount_minor = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.STARTED)
    outcome = models.CharField(max_length=40, blank=True)  # its table's column was made shorter than the rail's
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_payment_number_unique"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="succeeded"), name="order_one_success"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="started"), name="order_one_in_flight"),
        ]


class OrderRefund(models.Model):
    """Money of a paid order given back through the rail it was paid with. STARTED (with its
    idempotency key) is committed before the rail is called, so a retry repeats the same key
    and the customer is refunded once."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount_minor = models.BigIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=16, choices=RefundReason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.STARTED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")  # fmt: skip

    class Meta:
        ordering = ["order_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_refund_number_unique"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="started"), name="order_one_refund_in_flight"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="order_refund_positive"),
        ]


class OrderStoredValueReturn(models.Model):
    """Part of a paid order given back to the stored value it was paid with: the order's
    refund history names it (amount, reason, who) as it names the rail's refunds."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="stored_value_returns")
    amount_minor = models.BigIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=16, choices=RefundReason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    returned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order_id", "returned_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="order_sv_return_positive")]


class Fulfilment(models.Model):
    """One parcel the warehouse ships: a paid order, a plan box, or a reship.
    `uuid` is our order id at the warehouse (the protocol's idempotency key)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=FulfilmentKind.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="fulfilments")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="fulfilment")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period_number = models.PositiveSmallIntegerField(null=True, blank=True)
    reship_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reships")
    warehouse_id = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=FulfilmentStatus.choices)
    hold_reason = models.CharField(max_length=16, choices=HoldReason.choices, blank=True)
    ship_to = models.JSONField(default=dict)
    cost_minor = models.BigIntegerField(default=0)
    push_attempts = models.PositiveSmallIntegerField(default=0)
    next_push_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # dispatch (or reship) promised by
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=40, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Each paid period ships exactly one box, however often its payment is reported.
            models.UniqueConstraint(fields=["contract", "period_number"], condition=Q(kind="plan_box"),
                                    name="one_box_per_period"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "next_push_at"], name="fulfilment_push_idx")]


class FulfilmentLine(models.Model):
    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.PROTECT, related_name="lines")
    warehouse_sku = _sku_field()
    sku = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    quantity = models.PositiveSmallIntegerField()
    unit_cost_minor = models.BigIntegerField()

    class Meta:
        ordering = ["id"]


class TrackingEvent(models.Model):
    """What the warehouse reported about a parcel, once per event."""

    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.PROTECT, related_name="tracking")
    event_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=FulfilmentStatus.choices)
    at = models.DateTimeField()
    carrier = models.CharField(max_length=40, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ReshipRequest(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.PROTECT, related_name="reship_requests")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=ReshipReason.choices)
    note = models.TextField(_("what happened"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ReshipStatus.choices, default=ReshipStatus.APPROVED)
    # Made when the request is approved (at once for an order; by staff for a plan box).
    reship = models.OneToOneField(Fulfilment, on_delete=models.PROTECT, null=True, blank=True, related_name="reship_request")
    decision_note = models.CharField(_("answer to the customer"), max_length=255, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="approved", reship__isnull=False) | ~Q(status="approved"),
                                   name="reship_approved_has_parcel"),
        ]  # fmt: skip


class ReshipPhoto(models.Model):
    request = models.ForeignKey(ReshipRequest, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="reship-photos/%Y/%m/")


class ReshipItem(models.Model):
    """What a reship sends again: some of the parcel's items, in some quantity. A request
    without items sends the whole parcel (an order's reship asked for through the API)."""

    request = models.ForeignKey(ReshipRequest, on_delete=models.PROTECT, related_name="items")
    line = models.ForeignKey(FulfilmentLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "line"], name="reship_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reship_item_quantity_positive"),
        ]
