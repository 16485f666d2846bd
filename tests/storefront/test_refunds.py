"""Cancelling an order before it leaves the warehouse and refunding money after: the rail
moves money once per key, stock comes back, the books balance and match the orders."""
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import account_balances
from pawpact.billing.models import Journal, PaymentMethod
from pawpact.core.clock import FixedClock
from pawpact.core.errors import ServiceUnavailable
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.errors import RefundFailed
from pawpact.payments.sandbox import SandboxRail
from pawpact.sandbox.models import SandboxCharge
from pawpact.storefront.enums import FulfilmentStatus, OrderStatus, PaymentStatus
from pawpact.storefront.errors import OrderNotCancellable, RefundInvalid
from pawpact.storefront.ledger_check import storefront_ledger_check
from pawpact.storefront.models import Fulfilment, Order, OrderRefund
from pawpact.storefront.services import fulfilment as parcels
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.services.refunds import order_cancel, order_refund, refunds_retry
from pawpact.warehouses.enums import EventType
from pawpact.warehouses.models import Shipment, WarehouseSku
from tests.conftest import host_of
from tests.storefront.conftest import as_manager, customer_with_address

SKU = "FC-0001"  # cost ¥79.00


def _paid_order(*, quantity=2, key="k", send=False, capture=None) -> Order:
    product = product_save(sku=SKU, price_minor=12_900)
    customer = customer_with_address(phone=f"138{uuid.uuid4().int % 10**8:08d}")
    method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:12]}")
    cart_set(customer=customer, product=product, quantity=quantity)
    if send:
        with capture(execute=True):
            return checkout(customer=customer, payment_method=method, checkout_key=key)
    return checkout(customer=customer, payment_method=method, checkout_key=key)


def _refund_rows(shop) -> list[int]:
    return list(SandboxCharge.objects.filter(shop_schema=shop.schema_name, outcome="refunded").values_list("amount_minor", flat=True))


def test_cancel_before_sending_refunds_once_releases_stock_and_balances(shop, linked):
    with schema_context(shop.schema_name):
        order = _paid_order()
        assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.WAITING
        assert WarehouseSku.objects.get(warehouse=linked, sku=SKU).reserved == 2
        order = order_cancel(order=order)
        assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 25_800)
        assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.CANCELLED
        refund = OrderRefund.objects.get(order=order)
        assert (refund.status, refund.amount_minor, refund.reason) == (PaymentStatus.SUCCEEDED, 25_800, "cancelled")
        balances = account_balances()
        assert (balances[LedgerAccount.STORE_CASH], balances[LedgerAccount.GOODS_REVENUE]) == (0, 0)
        assert Journal.objects.filter(kind=JournalKind.ORDER_REFUNDED).count() == 1
        events = OutboxEvent.objects.filter(kind="order.refunded")
        assert [(e.payload["amount_minor"], e.payload["refunded_minor"]) for e in events] == [(25_800, 25_800)]
        check = storefront_ledger_check()
        assert check.ok and (check.orders, check.refunds) == (1, 1)
        with pytest.raises(OrderNotCancellable):
            order_cancel(order=order)
        assert OrderRefund.objects.count() == 1 and Journal.objects.filter(kind=JournalKind.ORDER_REFUNDED).count() == 1
    assert WarehouseSku.objects.get(warehouse=linked, sku=SKU).reserved == 0
    assert _refund_rows(shop) == [-25_800]


def test_cancel_at_the_warehouse_recalls_the_parcel_and_reverses_its_cost(
    shop, linked, sandbox_warehouse, django_capture_on_commit_callbacks
):
    with schema_context(shop.schema_name):
        order = _paid_order(send=True, capture=django_capture_on_commit_callbacks)
        assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.SENT
        assert account_balances()[LedgerAccount.COST_OF_GOODS] == 15_800
        order = order_cancel(order=order)
        assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 25_800)
        balances = account_balances()
        assert (balances[LedgerAccount.COST_OF_GOODS], balances[LedgerAccount.WAREHOUSE_PAYABLE]) == (0, 0)
        assert storefront_ledger_check().ok
    (at_warehouse,) = [o for o in sandbox_warehouse.orders() if o["order_id"] == str(order.uuid)]
    assert at_warehouse["status"] == "cancelled"
    assert Shipment.objects.get(reference=order.uuid).cancelled_at is not None
    assert WarehouseSku.objects.get(warehouse=linked, sku=SKU).reserved == 0


def test_dispatched_order_cannot_be_cancelled_but_staff_refund_it_in_parts(
    shop, linked, sandbox_warehouse, django_capture_on_commit_callbacks
):
    with schema_context(shop.schema_name):
        order = _paid_order(send=True, capture=django_capture_on_commit_callbacks)
    sandbox_warehouse.tick(ahead=3601)  # the warehouse dispatches; our callback has not arrived yet
    with schema_context(shop.schema_name):
        with pytest.raises(OrderNotCancellable):
            order_cancel(order=order)
        order.refresh_from_db()
        assert (order.status, order.refunded_minor, OrderRefund.objects.count()) == (OrderStatus.PAID, 0, 0)
        assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.SENT
        first = order_refund(order=order, amount_minor=5_000, reason="damaged", note="bag torn")
        assert first.status == PaymentStatus.SUCCEEDED
        for amount, reason in ((20_801, "goodwill"), (0, "goodwill"), (100, "cancelled"), (100, "nonsense")):
            with pytest.raises(RefundInvalid):
                order_refund(order=order, amount_minor=amount, reason=reason)
        order.refresh_from_db()
        assert (order.status, order.refunded_minor, OrderRefund.objects.count()) == (OrderStatus.PAID, 5_000, 1)
        order_refund(order=order, amount_minor=20_800, reason="returned")
        order.refresh_from_db()
        assert (order.status, order.refunded_minor) == (OrderStatus.REFUNDED, 25_800)
        assert account_balances()[LedgerAccount.STORE_CASH] == 0
        check = storefront_ledger_check()
        assert check.ok and check.refunds == 2
    assert sorted(_refund_rows(shop)) == [-20_800, -5_000]


def test_a_refund_the_rail_does_not_confirm_is_retried_with_its_key_and_moves_money_once(shop, linked, monkeypatch):
    real_refund = SandboxRail.refund

    def refund_then_lose_the_answer(self, **kwargs):
        real_refund(self, **kwargs)  # the money moved, but our side never hears it
        raise RefundFailed("timed out")

    with schema_context(shop.schema_name):
        order = _paid_order()
        monkeypatch.setattr(SandboxRail, "refund", refund_then_lose_the_answer)
        order = order_cancel(order=order)
        refund = OrderRefund.objects.get(order=order)
        assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 0)
        assert (refund.status, refund.attempts, refund.last_error) == (PaymentStatus.STARTED, 1, "timed out")
        assert not Journal.objects.filter(kind=JournalKind.ORDER_REFUNDED).exists()
        assert storefront_ledger_check().ok
        with pytest.raises(RefundInvalid):  # one refund on its way at a time
            order_refund(order=order, amount_minor=100, reason="goodwill")
        monkeypatch.setattr(SandboxRail, "refund", real_refund)
        assert refunds_retry() == 0  # not due yet
        later = FixedClock(timezone.now() + timedelta(minutes=6))
        assert refunds_retry(clock=later) == 1
        assert refunds_retry(clock=later) == 0
        order.refresh_from_db()
        refund.refresh_from_db()
        assert (refund.status, order.refunded_minor) == (PaymentStatus.SUCCEEDED, 25_800)
        assert Journal.objects.filter(kind=JournalKind.ORDER_REFUNDED).count() == 1
        assert storefront_ledger_check().ok
    assert _refund_rows(shop) == [-25_800]


def test_a_warehouse_that_cannot_be_reached_cancels_nothing(shop, linked, sandbox_warehouse, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        order = _paid_order(send=True, capture=django_capture_on_commit_callbacks)
    sandbox_warehouse.faults(down=True)
    try:
        with schema_context(shop.schema_name):
            with pytest.raises(ServiceUnavailable):
                order_cancel(order=order)
            order.refresh_from_db()
            assert (order.status, OrderRefund.objects.count()) == (OrderStatus.PAID, 0)
            assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.SENT
    finally:
        sandbox_warehouse.faults(down=False)


def test_the_warehouse_cancelling_a_paid_order_refunds_it(shop, linked, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        order = _paid_order(send=True, capture=django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            changed = parcels.tracking_apply(reference=order.uuid, event_id="wh-1", event_type=EventType.ORDER_CANCELLED,
                                             data={"order_id": str(order.uuid), "reason": "damaged in stock"})  # fmt: skip
        assert changed
        order.refresh_from_db()
        assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 25_800)
        assert OrderRefund.objects.get(order=order).reason == "not_shipped"
        assert account_balances()[LedgerAccount.COST_OF_GOODS] == 0
        assert storefront_ledger_check().ok
    assert WarehouseSku.objects.get(warehouse=linked, sku=SKU).reserved == 0


def _client(shop, user) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client


def test_pages_cancel_own_orders_only_and_staff_refund_in_yuan(shop, other_shop, linked):
    with schema_context(shop.schema_name):
        order = _paid_order()
        buyer = User.objects.create_user("buyer@alpha.test", "pw-long-enough-1")
        order.customer.user = buyer
        order.customer.save(update_fields=["user"])
        stranger = User.objects.create_user("stranger@alpha.test", "pw-long-enough-1")
        other_customer = customer_with_address(name="Li", phone="13900139000")
        other_customer.user = stranger
        other_customer.save(update_fields=["user"])
        staff = as_manager(User.objects.create_user("staff@alpha.test", "pw-long-enough-1", is_staff=True))
    assert _client(shop, stranger).post(f"/shop/orders/{order.uuid}/cancel/").status_code == 404
    with schema_context(other_shop.schema_name):
        other_staff = User.objects.create_user("staff@beta.test", "pw-long-enough-1", is_staff=True)
    other = _client(other_shop, other_staff)
    assert other.get(f"/manage/orders/{order.uuid}/").status_code == 404
    assert other.post(f"/manage/orders/{order.uuid}/", {"action": "cancel"}).status_code == 404
    staff_client = _client(shop, staff)
    bad = staff_client.post(f"/manage/orders/{order.uuid}/", {"action": "refund", "amount": "12.345", "reason": "goodwill"})
    assert bad.status_code == 200 and "Use at most 2 decimals (fen)." in bad.content.decode()
    # A decimal comma is refused, never read as thousands (¥1,250); no reason means none is stored.
    comma = staff_client.post(f"/manage/orders/{order.uuid}/", {"action": "refund", "amount": "12,50", "reason": "goodwill"})
    assert "a comma only separates thousands" in comma.content.decode()
    no_reason = staff_client.post(f"/manage/orders/{order.uuid}/", {"action": "refund", "amount": "12.50"})
    assert no_reason.status_code == 200 and "This field is required." in no_reason.content.decode()
    form_page = staff_client.get(f"/manage/orders/{order.uuid}/").content.decode()
    assert '<option value="" selected>Choose a reason</option>' in form_page
    assert 'data-confirm="Refund this amount to the customer? A refund cannot be undone."' in form_page
    too_much = staff_client.post(f"/manage/orders/{order.uuid}/", {"action": "refund", "amount": "300", "reason": "goodwill"},
                                 follow=True)  # fmt: skip
    assert "At most ¥258.00 can still be refunded" in too_much.content.decode()
    with schema_context(shop.schema_name):
        assert OrderRefund.objects.count() == 0
    page = _client(shop, buyer).get(f"/shop/orders/{order.uuid}/").content.decode()
    assert "Cancel order" in page
    done = _client(shop, buyer).post(f"/shop/orders/{order.uuid}/cancel/", follow=True).content.decode()
    assert "Order cancelled" in done and "returned to your payment method" in done
    staff_page = staff_client.get(f"/manage/orders/{order.uuid}/").content.decode()
    assert "Order cancelled before dispatch" in staff_page and "¥258.00" in staff_page
    with schema_context(shop.schema_name):
        order.refresh_from_db()
        assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 25_800)


def test_an_order_whose_payment_is_in_flight_is_not_cancelled(shop, linked):
    from pawpact.storefront.models import OrderPayment

    with schema_context(shop.schema_name):
        order = _paid_order()
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_PAYMENT, paid_at=None)
        OrderPayment.objects.filter(order=order).update(status=PaymentStatus.STARTED)
        with pytest.raises(OrderNotCancellable):
            order_cancel(order=Order.objects.get(pk=order.pk))
        order.refresh_from_db()
        assert (order.status, OrderRefund.objects.count()) == (OrderStatus.PENDING_PAYMENT, 0)
        assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.WAITING
