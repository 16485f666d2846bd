from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class PaymentStatus(models.TextChoices):
    STARTED = "started", _("Started")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class FulfilmentKind(models.TextChoices):
    ORDER = "order", _("Shop order")
    PLAN_BOX = "plan_box", _("Plan box")
    RESHIP = "reship", _("Reship")


class FulfilmentStatus(models.TextChoices):
    HELD = "held", _("Held")
    WAITING = "waiting", _("Waiting to be sent to the warehouse")
    SENT = "sent", _("At the warehouse")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


FULFILMENT_TRANSITIONS = {
    FulfilmentStatus.HELD: {FulfilmentStatus.WAITING, FulfilmentStatus.CANCELLED},
    FulfilmentStatus.WAITING: {FulfilmentStatus.SENT, FulfilmentStatus.HELD, FulfilmentStatus.CANCELLED},
    FulfilmentStatus.SENT: {FulfilmentStatus.DISPATCHED, FulfilmentStatus.DELIVERED, FulfilmentStatus.CANCELLED},
    FulfilmentStatus.DISPATCHED: {FulfilmentStatus.DELIVERED},
    FulfilmentStatus.DELIVERED: set(),
    FulfilmentStatus.CANCELLED: set(),
}


class HoldReason(models.TextChoices):
    NONE = "", _("Not held")
    OVERDUE = "overdue", _("A monthly payment is overdue")
    DEFAULT = "default", _("Payments are in default")
    NO_ADDRESS = "no_address", _("No delivery address yet")


class ReshipReason(models.TextChoices):
    MISSING = "missing", _("An item is missing")
    DAMAGED = "damaged", _("An item arrived damaged")


class ReshipStatus(models.TextChoices):
    """An order's reship goes out at once; a plan box's waits for the shop's decision."""

    PENDING = "pending", _("Waiting for the shop")
    APPROVED = "approved", _("Approved: sent again")
    REFUSED = "refused", _("Not accepted")


class RefundReason(models.TextChoices):
    CANCELLED = "cancelled", _("Order cancelled before dispatch")
    NOT_SHIPPED = "not_shipped", _("The warehouse could not ship it")
    DAMAGED = "damaged", _("Item damaged or missing")
    RETURNED = "returned", _("Goods returned")
    GOODWILL = "goodwill", _("Goodwill")
