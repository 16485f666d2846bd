"""Cart, checkout and payment of one-off orders.

Checkout writes the order and reserves its stock in one transaction (all or nothing;
a sold-out line refuses the whole order). Payment follows the debit protocol: a STARTED
payment with its idempotency key is committed before the rail is called, and the
outcome is recorded in a second transaction, so a retry asks the rail again under the
same key and money never moves twice. A paid order posts `order.paid:<uuid>` on the
shop ledger, emits `order.paid` to the outbox and is queued for the warehouse.
"""
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import EventKind
from pawpact.core.metadata import metadata_update
from pawpact.core.money import Money
from pawpact.customers.models import Customer
from pawpact.outbox.services import outbox_emit
from pawpact.payments.base import ChargeResult
from pawpact.payments.registry import rail_for
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, OrderStatus, PaymentStatus
from pawpact.storefront.errors import AddressMissing, CartEmpty, NotSellable, OrderNotPayable, ProductInvalid
from pawpact.storefront.models import CartLine, Fulfilment, FulfilmentLine, Order, OrderLine, OrderPayment, Product
from pawpact.storefront.pricing import coupon_redeem, discount_for, stored_value
from pawpact.storefront.services.order_money import order_livemode, stored_value_give_back
from pawpact.storefront.selectors import cart_get, product_is_sellable
from pawpact.storefront.services import fulfilment as parcels
from pawpact.storefront.services.catalog import current_shop
from pawpact.tenants.modes import current_livemode, sandbox_refuse_in_live
from pawpact.warehouses.stock import reservation_release, stock_reserve

logger = logging.getLogger(__name__)
MAX_QUANTITY = 99
# A payment left STARTED longer than this lost its worker: a later run asks the rail again.
IN_FLIGHT_LEASE = timedelta(minutes=5)


def cart_set(*, customer: Customer, product: Product, quantity: int) -> CartLine | None:
    """Put `quantity` of a product in the cart (0 removes it)."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= MAX_QUANTITY:
        raise ProductInvalid(_("Quantities are 0 to 99."), fields={"quantity": [_("0 to 99.")]})
    if quantity == 0:
        CartLine.objects.filter(customer=customer, product=product).delete()
        return None
    if not product_is_sellable(product):
        raise NotSellable(_("This product is sold out or no longer sold."), fields={"product": [_("Not available.")]})
    if quantity > product.warehouse_sku.sellable:
        raise NotSellable(_("Only %(n)s left.") % {"n": product.warehouse_sku.sellable}, fields={"quantity": [_("Too many.")]})
    # One INSERT … ON CONFLICT: a checkout's first step, so no savepoints or read-before-write.
    line = CartLine(customer=customer, product=product, quantity=quantity)
    CartLine.objects.bulk_create([line], update_conflicts=True, unique_fields=["customer", "product"],
                                 update_fields=["quantity"])  # fmt: skip
    return line


def cart_line_add(*, customer: Customer, product: Product, quantity: int) -> CartLine:
    """Add `quantity` to what the cart already holds of a product (adding twice adds up)."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise ProductInvalid(_("Quantities are 1 to 99."), fields={"quantity": [_("1 to 99.")]})
    held = CartLine.objects.filter(customer=customer, product=product).values_list("quantity", flat=True).first() or 0
    if held + quantity > MAX_QUANTITY:
        raise ProductInvalid(_("The cart already holds %(held)s; at most %(max)s of a product per order.")
                             % {"held": held, "max": MAX_QUANTITY}, fields={"quantity": [_("Too many.")]})  # fmt: skip
    return cart_set(customer=customer, product=product, quantity=held + quantity)


def cart_refill(*, customer: Customer, order: Order) -> list[str]:
    """Put an unpaid order's items back in the cart (at least the order's quantity of each), so
    the customer can pay again; returns the names of items that can no longer be sold."""
    missing = []
    held = dict(CartLine.objects.filter(customer=customer).values_list("product_id", "quantity"))
    with transaction.atomic():
        for line in order.lines.select_related("product__warehouse_sku"):
            try:
                cart_set(customer=customer, product=line.product, quantity=max(held.get(line.product_id, 0), line.quantity))
            except (NotSellable, ProductInvalid):
                missing.append(line.name)
    return missing


def checkout(*, customer: Customer, payment_method: PaymentMethod | None, checkout_key: str, coupon_code: str = "",
             use_stored_value: bool = False, clock: Clock = default_clock) -> Order:  # fmt: skip
    """Turn the cart into an order with its stock reserved, then pay it. Call outside a transaction.

    `use_stored_value`: the customer's stored value pays as much as it covers (all of it needs
    no payment method), the rest goes on the rail. A checkout retried with the same key returns
    the same order (and pays it if it is still waiting). Refuses, writing nothing: an empty
    cart, no address, a payment method of someone else, a line no longer sellable, not
    enough stock."""
    existing = Order.objects.filter(checkout_key=checkout_key, customer=customer).first()
    if existing is None:
        order, payment = _order_create(customer=customer, payment_method=payment_method, checkout_key=checkout_key,
                                       coupon_code=coupon_code, use_stored_value=use_stored_value, clock=clock)  # fmt: skip
        if payment is not None:  # made here, committed with the order: charge it now
            paid = getattr(_charge(order=order, payment=payment, clock=clock), "paid_order", None)
            if paid is not None:  # read under its lock and brought up to date: no second read
                return paid
            order.refresh_from_db()
            return order
        existing = order
    if existing.status == OrderStatus.PENDING_PAYMENT:
        order_pay(order=existing, clock=clock)
        existing.refresh_from_db()
    return existing


def _payment_method_check(*, customer, payment_method) -> None:
    if payment_method is None:
        raise OrderNotPayable(_("Choose a payment method for what the stored value does not cover."),
                              fields={"payment_method": [_("Required.")]})  # fmt: skip
    if payment_method.customer_id != customer.pk or not payment_method.is_active:
        raise OrderNotPayable(_("Choose one of your own payment methods."), fields={"payment_method": [_("Not yours.")]})
    livemode = current_livemode()
    if payment_method.rail == "sandbox":
        sandbox_refuse_in_live(provider=_("The sandbox payment rail"), livemode=livemode)
    if payment_method.livemode != livemode:
        # A method saved in test mode moves pretend money: a live order would ship real goods for it.
        raise OrderNotPayable(_("This payment method belongs to the other mode (test or live); choose another."),
                              fields={"payment_method": [_("Not usable in this mode.")]})  # fmt: skip


def _cart_checked(*, customer) -> tuple:
    """(address, cart, warehouse id) of a checkout, or a 4xx naming what is missing."""
    address = getattr(customer, "shipping_address", None)
    if address is None:
        raise AddressMissing(_("Add a delivery address first."), fields={"address": [_("Required.")]})
    cart = cart_get(customer=customer, with_warehouse=True)
    if not cart.lines:
        raise CartEmpty(_("The cart is empty."), fields={"cart": [_("Add a product first.")]})
    warehouse_id = cart.warehouse_id
    unavailable = [line.product.warehouse_sku.sku for line in cart.lines
                   if not product_is_sellable(line.product, warehouse_id=warehouse_id)]  # fmt: skip
    if unavailable:
        raise NotSellable(_("Some products are sold out or no longer sold: %(skus)s.") % {"skus": ", ".join(unavailable)},
                          fields={"cart": unavailable})  # fmt: skip
    return address, cart, warehouse_id


def _order_create(*, customer, payment_method, checkout_key, coupon_code, use_stored_value,
                  clock) -> tuple[Order, OrderPayment | None]:  # fmt: skip
    """Order, parcel, stored-value spend, STARTED payment and stock reservation in one transaction
    (payment None: nothing left for the rail, or lost a key race)."""
    if payment_method is not None:
        _payment_method_check(customer=customer, payment_method=payment_method)
    address, cart, warehouse_id = _cart_checked(customer=customer)
    discount = discount_for(customer=customer, subtotal_minor=cart.subtotal_minor, coupon_code=coupon_code)
    total = cart.subtotal_minor - discount.amount_minor
    from_balance = min(stored_value().balance_minor(customer=customer), total) if use_stored_value else 0
    if total > from_balance and payment_method is None:
        _payment_method_check(customer=customer, payment_method=None)
    now = clock.now()
    try:
        with transaction.atomic():
            order = Order.objects.create(
                customer=customer, subtotal_minor=cart.subtotal_minor, discount_minor=discount.amount_minor,
                discount_label=discount.label, total_minor=total, stored_value_minor=from_balance,
                cost_minor=sum(line.product.warehouse_sku.cost_minor * line.quantity for line in cart.lines),
                payment_method=payment_method, checkout_key=checkout_key, created_at=now,
            )  # fmt: skip
            coupon_redeem(customer=customer, coupon_code=coupon_code, order=order, discount=discount)
            if from_balance:
                stored_value().pay(customer=customer, amount_minor=from_balance, key=f"order:{order.uuid}",
                                   memo=f"order {order.number}")  # fmt: skip
            _order_rows(order=order, cart=cart, address=address, warehouse_id=warehouse_id, now=now)
            # The items are the order's now, paid or not: a second checkout must not bill them again
            # while this one's payment is pending (a decline offers them back).
            in_order = [line.product_id for line in cart.lines]
            # One DELETE: the queryset's delete() would read the rows first to collect them.
            CartLine.objects.filter(customer=customer, product_id__in=in_order)._raw_delete(CartLine.objects.db)
            payment = None
            if order.rail_minor:
                payment = OrderPayment.objects.create(
                    order=order, number=1, idempotency_key=f"order:{order.uuid}:1", rail=payment_method.rail,
                    amount_minor=order.rail_minor, started_at=now,
                )  # fmt: skip
            else:
                _order_paid(order=order, now=now)
            # Last, so the hot SKUs' rows stay locked only until the commit that follows.
            stock_reserve(shop_id=current_shop().pk, reference=order.uuid,
                          lines=[(line.product.warehouse_sku_id, line.quantity) for line in cart.lines])  # fmt: skip
    except IntegrityError:
        # The same checkout key raced in from a second request: that order is the one.
        return Order.objects.get(checkout_key=checkout_key, customer=customer), None
    return order, payment


def _order_rows(*, order: Order, cart, address, warehouse_id: int, now) -> None:
    """The order's lines and its parcel (held until paid), copied from the cart."""
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=line.product, warehouse_sku=line.product.warehouse_sku,
                  name=line.product.warehouse_sku.name, quantity=line.quantity,
                  unit_price_minor=line.product.price_minor, unit_cost_minor=line.product.warehouse_sku.cost_minor)
        for line in cart.lines
    )  # fmt: skip
    fulfilment = Fulfilment.objects.create(
        uuid=order.uuid, kind=FulfilmentKind.ORDER, customer=order.customer, order=order,
        warehouse_id=warehouse_id, status=FulfilmentStatus.HELD, ship_to=address.as_payload(),
        cost_minor=order.cost_minor, created_at=now,
    )  # fmt: skip
    FulfilmentLine.objects.bulk_create(
        FulfilmentLine(fulfilment=fulfilment, warehouse_sku=line.product.warehouse_sku, sku=line.product.warehouse_sku.sku,
                       name=line.product.warehouse_sku.name, quantity=line.quantity,
                       unit_cost_minor=line.product.warehouse_sku.cost_minor)
        for line in cart.lines
    )  # fmt: skip
    order.fulfilment = fulfilment


def order_pay(*, order: Order, clock: Clock = default_clock) -> OrderPayment:
    payment, should_charge = _payment_open(order_id=order.pk, clock=clock)
    if not should_charge:
        return payment
    return _charge(order=order, payment=payment, clock=clock)


def _charge(*, order: Order, payment: OrderPayment, clock: Clock) -> OrderPayment:
    """Ask the rail under the payment's key (its STARTED row is committed) and record the answer."""
    method = order.payment_method
    try:
        result = rail_for(payment.rail, livemode=method.livemode).charge(
            token=method.token, customer_ref=method.rail_customer_ref, amount=Money(payment.amount_minor, order.currency),
            idempotency_key=payment.idempotency_key, metadata={"order_uuid": str(order.uuid)},
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 — an unreachable rail must not lose the STARTED marker
        logger.exception("Rail failed for order payment %s; outcome unknown", payment.idempotency_key)
        result = ChargeResult(succeeded=False, outcome=f"rail_error:{type(error).__name__}", is_unknown=True)
    return payment_finish(payment_id=payment.pk, result=result, clock=clock)


def _payment_open(*, order_id: int, clock: Clock) -> tuple[OrderPayment, bool]:
    now = clock.now()
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("payment_method").get(pk=order_id)
        succeeded = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
        if succeeded is not None:
            return succeeded, False
        started = order.payments.filter(status=PaymentStatus.STARTED).first()
        if started is not None:
            return started, started.started_at <= now - IN_FLIGHT_LEASE
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise OrderNotPayable(_("This order cannot be paid now."))
        number = (order.payments.aggregate(last=Max("number"))["last"] or 0) + 1
        payment = OrderPayment.objects.create(
            order=order, number=number, idempotency_key=f"order:{order.uuid}:{number}", rail=order.payment_method.rail,
            amount_minor=order.rail_minor, started_at=now,
        )  # fmt: skip
    return payment, True


def payment_finish(*, payment_id: int, result: ChargeResult, clock: Clock = default_clock) -> OrderPayment:
    """Record the rail's answer once; a finished payment is returned unchanged."""
    if result.is_unknown:
        return OrderPayment.objects.get(pk=payment_id)
    with transaction.atomic():
        # One statement locks the payment and its order (only this function locks a payment,
        # always in this one order, so two finishes of one payment cannot deadlock).
        payment = OrderPayment.objects.select_for_update(of=("self", "order")).select_related(
            "order__customer", "order__payment_method", "order__fulfilment").get(pk=payment_id)  # fmt: skip
        order = payment.order
        if payment.status != PaymentStatus.STARTED:
            return payment
        now = clock.now()
        payment.outcome, payment.reference, payment.finished_at = result.outcome, result.reference, now
        payment.status = PaymentStatus.SUCCEEDED if result.succeeded else PaymentStatus.FAILED
        payment.save(update_fields=["status", "outcome", "reference", "finished_at"])
        if result.succeeded:
            _order_paid(order=order, now=now)
            payment.paid_order = order
        else:
            order.status = OrderStatus.PAYMENT_FAILED
            order.save(update_fields=["status"])
            stored_value_give_back(order=order, amount_minor=order.stored_value_minor - order.stored_value_returned_minor,
                                   key="payment_failed")  # fmt: skip
            Fulfilment.objects.filter(order=order).update(status=FulfilmentStatus.CANCELLED, cancelled_at=now)
            reservation_release(reference=order.uuid)
            cart_refill(customer=order.customer, order=order)
    return payment


def _order_paid(*, order: Order, now) -> None:
    order.status, order.paid_at = OrderStatus.PAID, now
    order.save(update_fields=["status", "paid_at"])
    if order.rail_minor:  # the stored-value part was booked by its spend
        journal_post(key=f"{JournalKind.ORDER_PAID}:{order.uuid}", kind=JournalKind.ORDER_PAID, currency=order.currency,
                     lines=[Line(LedgerAccount.STORE_CASH, order.rail_minor),
                            Line(LedgerAccount.GOODS_REVENUE, -order.rail_minor)])  # fmt: skip
    payload = {"order_uuid": str(order.uuid), "customer_uuid": str(order.customer.uuid),
               "amount_minor": order.total_minor, "currency": order.currency, "at": now.isoformat()}  # fmt: skip
    # Loyalty's points and tier spend follow the commit in a task: the buyer waits for the payment only.
    outbox_emit(kind=EventKind.ORDER_PAID, aggregate_uuid=order.uuid, payload=payload, livemode=order_livemode(order),
                react_later=True)  # fmt: skip
    parcels.fulfilment_queue(fulfilment=order.fulfilment, now=now)


def order_metadata_update(*, order: Order, metadata: dict) -> Order:
    """Change an order's metadata only (its lines and amounts are fixed once placed)."""
    return metadata_update(record=order, changes=metadata)
