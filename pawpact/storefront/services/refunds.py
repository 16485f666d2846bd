"""Cancelling orders and giving money back.

A customer (or staff) cancels an order until its parcel leaves the warehouse: a parcel
already at the warehouse is cancelled there first (the warehouse refuses once it has
dispatched), then the parcel is cancelled here, its stock released, its cost reversed if it
was booked, and the whole amount refunded. After dispatch staff refund part or all of an
order (damaged goods, a return, goodwill).

A refund follows the debit protocol: the STARTED refund with its idempotency key is
committed before the rail is called; the rail's answer is recorded in a second transaction,
with the journal `order.refunded:<key>` and the `order.refunded` event. A rail that does
not answer leaves the refund STARTED, and the shop's minute asks again with the same key,
so the customer is refunded exactly once.
"""
import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.services.exit_money import rail_refund_record
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ServiceUnavailable
from pawpact.core.events import EventKind
from pawpact.core.money import Money
from pawpact.outbox.services import outbox_emit
from pawpact.payments.registry import rail_for
from pawpact.storefront import tasks as storefront_tasks
from pawpact.storefront.enums import FulfilmentStatus, OrderStatus, PaymentStatus, RefundReason
from pawpact.storefront.errors import OrderNotCancellable, RefundInvalid
from pawpact.storefront.models import Fulfilment, Order, OrderRefund, OrderStoredValueReturn
from pawpact.storefront.pricing import coupon_release
from pawpact.storefront.services import fulfilment as parcels
from pawpact.storefront.services.order_money import order_livemode, stored_value_give_back
from pawpact.warehouses.client import WarehouseClient
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses.models import Warehouse
from pawpact.warehouses.stock import reservation_release

logger = logging.getLogger(__name__)
CANCELLABLE = (FulfilmentStatus.HELD, FulfilmentStatus.WAITING, FulfilmentStatus.SENT)
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 12  # then staff see the refund as failed and settle it with the customer


def order_cancel(*, order: Order, note: str = "", clock: Clock = default_clock) -> Order:
    """Cancel an order whose parcel has not left the warehouse, and refund what was paid.
    Call outside a transaction. Refuses (changing nothing) once the parcel is dispatched."""
    parcel = Fulfilment.objects.filter(order=order).first()
    if order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.PAYMENT_FAILED) or (
        parcel is not None and parcel.status not in CANCELLABLE
    ):
        raise OrderNotCancellable(_("This order has left the warehouse and can no longer be cancelled."))
    if parcel is not None and parcel.status == FulfilmentStatus.SENT:
        _warehouse_cancel(parcel)
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        parcel = Fulfilment.objects.select_for_update(of=("self",)).filter(order=order).first()
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.payments.filter(status=PaymentStatus.STARTED).exists():
            # The rail may still take the money: cancelling now could keep a paid order unshipped.
            raise OrderNotCancellable(_("The payment is still being processed; try again in a few minutes."))
        if parcel is not None and parcel.status != FulfilmentStatus.CANCELLED:
            if parcel.status not in CANCELLABLE:
                raise OrderNotCancellable(_("This order has left the warehouse and can no longer be cancelled."))
            parcels.parcel_cancel(parcel, now=clock.now())
        refund = _order_close(order, reason=RefundReason.CANCELLED, note=note, now=clock.now())
    if refund is not None:
        refund_run(refund_id=refund.pk, clock=clock)
    order.refresh_from_db()
    return order


def _warehouse_cancel(parcel: Fulfilment) -> None:
    client = WarehouseClient.for_warehouse(Warehouse.objects.get(pk=parcel.warehouse_id))
    try:
        client.call("POST", f"/v1/orders/{parcel.uuid}/cancel", payload={"reason": "customer_cancelled"})
    except WarehouseRefused as refused:
        if refused.remote_code == "already_dispatched":
            raise OrderNotCancellable(_("The warehouse has already dispatched this order.")) from None
        if refused.status != 404:  # never arrived: nothing to cancel there
            raise OrderNotCancellable(_("The warehouse refused the cancellation: %(reason)s") % {"reason": refused.message}) from None
    except WarehouseUnavailable:
        raise ServiceUnavailable(_("The warehouse cannot be reached; nothing was cancelled. Try again shortly.")) from None


def _order_close(order: Order, *, reason: str, note: str, now: datetime) -> OrderRefund | None:
    """Mark a locked order cancelled: what it took from the stored value goes back to the balance
    now; open the rail refund of what is left of a paid one."""
    was_paid = order.status == OrderStatus.PAID
    order.status, order.cancelled_at = OrderStatus.CANCELLED, now
    order.save(update_fields=["status", "cancelled_at"])
    coupon_release(order=order)
    if not was_paid:
        reservation_release(reference=order.uuid)
        stored_value_give_back(order=order, amount_minor=order.stored_value_minor - order.stored_value_returned_minor,
                               key="cancelled")  # fmt: skip
        return None
    _stored_value_refund(order, amount_minor=order.stored_value_minor - order.stored_value_returned_minor,
                         key="cancelled", reason=reason, now=now)  # fmt: skip
    left = order.total_minor - order.refunded_minor - _in_flight(order)
    return _refund_open(order, amount_minor=left, reason=reason, note=note, now=now) if left > 0 else None


def _stored_value_refund(order: Order, *, amount_minor: int, key: str, reason: str, now: datetime, note: str = "",
                         actor=None) -> None:  # fmt: skip
    """Give part of a paid order back to the stored value it was paid with (the order is locked)."""
    if amount_minor <= 0:
        return
    stored_value_give_back(order=order, amount_minor=amount_minor, key=key)
    OrderStoredValueReturn.objects.create(order=order, amount_minor=amount_minor, reason=reason, note=note[:255],
                                          refunded_by=actor, returned_at=now)  # fmt: skip
    order.refunded_minor += amount_minor
    if order.refunded_minor == order.total_minor and order.status == OrderStatus.PAID:
        order.status = OrderStatus.REFUNDED
    order.save(update_fields=["refunded_minor", "status"])
    _refunded_emit(order, amount_minor=amount_minor, reason=reason, now=now)


def _refunded_emit(order: Order, *, amount_minor: int, reason: str, now: datetime) -> None:
    outbox_emit(kind=EventKind.ORDER_REFUNDED, aggregate_uuid=order.uuid, payload={
        "order_uuid": str(order.uuid), "customer_uuid": str(order.customer.uuid), "amount_minor": amount_minor,
        "refunded_minor": order.refunded_minor, "currency": order.currency, "reason": reason,
        "at": now.isoformat()}, livemode=order_livemode(order))  # fmt: skip


def order_cancelled_by_warehouse(*, parcel: Fulfilment, now: datetime) -> None:
    """The warehouse cannot ship a paid order: the order is cancelled and refunded (after the
    caller's transaction commits). In the caller's transaction, with the parcel cancelled."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=parcel.order_id)
    if order.status != OrderStatus.PAID:
        return
    refund = _order_close(order, reason=RefundReason.NOT_SHIPPED, note="", now=now)
    if refund is not None:
        _run_on_commit(refund.pk)


def order_refund(*, order: Order, amount_minor: int, reason: str, note: str = "", actor=None,
                 clock: Clock = default_clock) -> OrderRefund | None:  # fmt: skip
    """Give part or all of a paid order back (staff). Call outside a transaction. What the rail
    took is refunded on the rail first; beyond it, the stored value it took goes back to the
    balance at once. Returns the rail refund (None when the stored value took all of it)."""
    errors = {}
    if reason not in RefundReason.values or reason == RefundReason.CANCELLED:
        errors["reason"] = [_("Choose a reason.")]
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
        errors["amount"] = [_("Enter an amount above zero.")]
    if errors:
        raise RefundInvalid(_("The refund is invalid."), fields=errors)
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
        if order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED, OrderStatus.CANCELLED) or order.paid_at is None:
            raise RefundInvalid(_("Only a paid order can be refunded."))
        left = order.total_minor - order.refunded_minor - _in_flight(order)
        if amount_minor > left:
            raise RefundInvalid(_("At most %(amount)s can still be refunded.") % {"amount": Money(left, order.currency).format()},
                                fields={"amount": [_("Too much.")]})  # fmt: skip
        rail_left = order.rail_minor - (order.refunded_minor - order.stored_value_returned_minor) - _in_flight(order)
        on_rail = min(amount_minor, rail_left)
        # What was given back so far only grows: it names this return once.
        _stored_value_refund(order, amount_minor=amount_minor - on_rail, reason=reason, now=clock.now(),
                             key=f"refund:{order.refunded_minor}", note=note, actor=actor)  # fmt: skip
        refund = _refund_open(order, amount_minor=on_rail, reason=reason, note=note[:255], now=clock.now(),
                              actor=actor) if on_rail else None  # fmt: skip
    return refund_run(refund_id=refund.pk, clock=clock) if refund is not None else None


def _in_flight(order: Order) -> int:
    return order.refunds.filter(status=PaymentStatus.STARTED).aggregate(total=Sum("amount_minor"))["total"] or 0


def _refund_open(order: Order, *, amount_minor: int, reason: str, note: str, now: datetime, actor=None) -> OrderRefund:
    if order.refunds.filter(status=PaymentStatus.STARTED).exists():
        raise RefundInvalid(_("A refund of this order is still on its way; try again when it is done."))
    number = (order.refunds.aggregate(last=Max("number"))["last"] or 0) + 1
    return OrderRefund.objects.create(
        order=order, number=number, idempotency_key=f"{JournalKind.ORDER_REFUNDED}:{order.uuid}:{number}",
        amount_minor=amount_minor, reason=reason, note=note, started_at=now, refunded_by=actor,
    )  # fmt: skip


def _run_on_commit(refund_id: int) -> None:
    schema_name = connection.schema_name

    def run():
        with schema_context(schema_name):
            storefront_tasks.order_refund_task.delay(refund_id)

    transaction.on_commit(run, robust=True)


def refund_run(*, refund_id: int, clock: Clock = default_clock) -> OrderRefund:
    """Ask the rail to refund once (the same key on every try) and record its answer."""
    refund = OrderRefund.objects.select_related("order__payment_method").get(pk=refund_id)
    if refund.status != PaymentStatus.STARTED:
        return refund
    order, method = refund.order, refund.order.payment_method
    charge = order.payments.get(status=PaymentStatus.SUCCEEDED)
    try:
        reference = rail_for(charge.rail, livemode=method.livemode).refund(
            token=method.token, charge_reference=charge.reference, amount=Money(refund.amount_minor, order.currency),
            idempotency_key=refund.idempotency_key, metadata={"order_uuid": str(order.uuid), "purpose": "order_refund"},
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 — the refund stays STARTED and is asked again with its key
        logger.warning("Refund %s not confirmed: %s", refund.idempotency_key, error)
        return _refund_not_confirmed(refund, error=str(getattr(error, "message", error)), clock=clock)
    return _refund_succeeded(refund_id=refund.pk, reference=reference, clock=clock)


def _refund_not_confirmed(refund: OrderRefund, *, error: str, clock: Clock) -> OrderRefund:
    attempts = refund.attempts + 1
    status = PaymentStatus.FAILED if attempts >= MAX_ATTEMPTS else PaymentStatus.STARTED
    OrderRefund.objects.filter(pk=refund.pk, status=PaymentStatus.STARTED).update(
        attempts=attempts, last_error=error[:255], status=status, finished_at=clock.now() if status == PaymentStatus.FAILED else None
    )  # fmt: skip
    refund.refresh_from_db()
    return refund


def _refund_succeeded(*, refund_id: int, reference: str, clock: Clock) -> OrderRefund:
    now = clock.now()
    with transaction.atomic():
        order_id = OrderRefund.objects.values_list("order_id", flat=True).get(pk=refund_id)
        order = Order.objects.select_for_update(of=("self",)).select_related("customer", "payment_method").get(pk=order_id)
        refund = OrderRefund.objects.select_for_update().get(pk=refund_id)
        if refund.status != PaymentStatus.STARTED:
            return refund
        refund.status, refund.reference, refund.finished_at = PaymentStatus.SUCCEEDED, reference[:255], now
        refund.attempts += 1
        refund.save(update_fields=["status", "reference", "finished_at", "attempts"])
        order.refunded_minor += refund.amount_minor
        if order.refunded_minor == order.total_minor:
            if order.status == OrderStatus.PAID:
                order.status = OrderStatus.REFUNDED
            coupon_release(order=order)
        order.save(update_fields=["refunded_minor", "status"])
        charge = order.payments.get(status=PaymentStatus.SUCCEEDED)
        rail_refund_record(payment_method=order.payment_method, amount=Money(refund.amount_minor, order.currency),
                           key=refund.idempotency_key, charge_reference=charge.reference, reference=reference,
                           purpose="order_refund")  # fmt: skip
        journal_post(key=refund.idempotency_key, kind=JournalKind.ORDER_REFUNDED, currency=order.currency,
                     lines=[Line(LedgerAccount.GOODS_REVENUE, refund.amount_minor),
                            Line(LedgerAccount.STORE_CASH, -refund.amount_minor)])  # fmt: skip
        _refunded_emit(order, amount_minor=refund.amount_minor, reason=refund.reason, now=now)
    return refund


def refunds_retry(*, clock: Clock = default_clock) -> int:
    """Refunds whose rail did not answer, asked again with their key (the shop's minute)."""
    due = OrderRefund.objects.filter(status=PaymentStatus.STARTED, started_at__lte=clock.now() - RETRY_AFTER)
    ids = list(due.order_by("started_at").values_list("pk", flat=True)[:100])
    for refund_id in ids:
        refund_run(refund_id=refund_id, clock=clock)
    return len(ids)
