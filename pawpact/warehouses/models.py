"""Partner warehouses and the stock they hold (public schema).

Stock is the warehouse's and shared by every shop linked to it, so it is kept once per
warehouse: `available` as the warehouse last reported it (at `stock_version`), and
`reserved`, the units our checkouts took that the warehouse has not counted yet. A shop
sells at most `available - reserved`; tenant tables refer to these rows by id.
"""
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.core.units import unit_in_reader_language
from pawpact.tenants.models import Shop
from pawpact.warehouses.reasons import reason_text
from pawpact.warehouses.enums import EventType, ImportStatus, ShipmentKind, SkuCategory, WarehouseStatus


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    base_url = models.URLField(_("API address"))
    key_id = models.CharField(_("key id"), max_length=80)
    # Fernet token of the shared HMAC secret (pawpact.tenants.secrets); never shown again.
    secret_encrypted = models.TextField()
    status = models.CharField(max_length=16, choices=WarehouseStatus.choices, default=WarehouseStatus.ONBOARDING)
    last_check_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True)
    last_check_message = models.CharField(max_length=255, blank=True)  # checks from before codes were kept
    last_check_code = models.CharField(max_length=32, blank=True)
    last_check_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sandbox(self) -> bool:
        """The last passing check was answered by a sandbox warehouse (it has test controls)."""
        return bool(self.last_check_ok and (self.last_check_params or {}).get("sandbox") is True)

    @property
    def sandbox_known(self) -> bool:
        """A sandbox answered a check once; it stays one while it is down (its controls still answer)."""
        return (self.last_check_params or {}).get("sandbox") is True

    @property
    def last_check_reason(self) -> str:
        """The last check's outcome in the viewer's language."""
        return reason_text(self.last_check_code, self.last_check_params, said=self.last_check_message)


class WarehouseSku(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="skus")
    sku = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    image_urls = models.JSONField(default=list, blank=True)  # absolute http(s) URLs, as the feed gave them
    category = models.CharField(max_length=16, choices=SkuCategory.choices)
    unit = models.CharField(max_length=40, blank=True)
    weight_g = models.PositiveIntegerField(default=0)
    cost_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    available = models.IntegerField(default=0)
    stock_version = models.BigIntegerField(default=0)
    reserved = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["warehouse_id", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "sku"], name="warehouse_sku_unique"),
            models.CheckConstraint(condition=Q(available__gte=0), name="warehouse_sku_available_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="warehouse_sku_reserved_not_negative"),
            models.CheckConstraint(condition=Q(cost_minor__gte=0), name="warehouse_sku_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def sellable(self) -> int:
        return max(0, self.available - self.reserved) if self.is_active else 0

    @property
    def shown_unit(self) -> str:
        """The unit in the reader's language when the product knows it; as the feed gave it otherwise."""
        return unit_in_reader_language(self.unit)


class StockReservation(models.Model):
    """Units one shop's order or box holds until the warehouse's count includes them."""

    sku = models.ForeignKey(WarehouseSku, on_delete=models.PROTECT, related_name="reservations")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="+")
    reference = models.UUIDField()  # the shop's fulfilment uuid (our order id at the warehouse)
    quantity = models.PositiveIntegerField()
    # The SKU's stock version right after the warehouse allocated this order.
    allocated_version = models.BigIntegerField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku", "reference"], name="reservation_once_per_sku")]
        indexes = [
            models.Index(fields=["sku", "allocated_version"], name="reservation_open_idx",
                         condition=Q(released_at__isnull=True)),
        ]  # fmt: skip


class WarehouseLink(models.Model):
    """The one onboarded warehouse a shop sells from and ships through."""

    shop = models.OneToOneField(Shop, on_delete=models.PROTECT, related_name="warehouse_link")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="links")
    linked_at = models.DateTimeField(default=timezone.now)


class CatalogImport(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="imports")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    expected_items = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)  # imports from before codes were kept
    error_code = models.CharField(max_length=32, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def error_reason(self) -> str:
        """Why the import failed, in the viewer's language."""
        return reason_text(self.error_code, self.error_params, said=self.error)


class WarehouseEvent(models.Model):
    """A callback as received: stored before it is answered, once per event id."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=64)
    type = models.CharField(max_length=32, choices=EventType.choices)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "event_id"], name="warehouse_event_once")]
        indexes = [models.Index(fields=["processed_at"], name="warehouse_event_pending_idx",
                                condition=Q(processed_at__isnull=True))]  # fmt: skip


class Shipment(models.Model):
    """One order, box or reship sent to a warehouse: routes callbacks to the shop, and is
    the warehouse's SLA record (dispatch within 24 h, reship within 48 h)."""

    reference = models.UUIDField(unique=True, default=uuid.uuid4)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="shipments")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ShipmentKind.choices)
    # The shop's own number for it (SO… for an order), so staff can name it as their pages do.
    label = models.CharField(max_length=24, blank=True, db_index=True)
    sent_at = models.DateTimeField()
    due_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["warehouse", "due_at"], name="shipment_sla_idx")]


class Forecast(models.Model):
    """Committed plan-box demand: from a shop's active contracts, per SKU and month."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="forecasts")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(WarehouseSku, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    quantity = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "sku", "month"], name="forecast_once")]


class ForecastPush(models.Model):
    """The warehouse's forecast outbox: a committed-demand change asks for a push, due a few
    minutes later so a burst of changes (a campaign's signings, a box edited line by line)
    goes out once; `sent_digest` is what the warehouse has, so an unchanged forecast is not
    sent again and a retry after a lost answer carries the same `forecast_id`."""

    warehouse = models.OneToOneField(Warehouse, on_delete=models.PROTECT, related_name="forecast_push")
    due_at = models.DateTimeField(null=True, blank=True)  # null: nothing waiting
    requested_at = models.DateTimeField(null=True, blank=True)
    sent_digest = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="forecast_push_due_idx", condition=Q(due_at__isnull=False))]
