from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseStatus(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class SkuCategory(models.TextChoices):
    FOOD = "food", _("Pet food")
    LITTER = "litter", _("Litter")
    SNACKS = "snacks", _("Snacks")
    TOYS = "toys", _("Toys")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ShipmentKind(models.TextChoices):
    ORDER = "order", _("Shop order")
    PLAN_BOX = "plan_box", _("Plan box")
    RESHIP = "reship", _("Reship")


class EventType(models.TextChoices):
    STOCK_CHANGED = "stock.changed", _("Stock changed")
    SHIPMENT_DISPATCHED = "shipment.dispatched", _("Dispatched")
    SHIPMENT_DELIVERED = "shipment.delivered", _("Delivered")
    ORDER_CANCELLED = "order.cancelled", _("Cancelled by the warehouse")
