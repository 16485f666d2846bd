"""A customer's order from cart to the warehouse and back: payment, ledger, outbox, stock,
the warehouse's callbacks (twice, out of order), bad input."""
import json
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing.enums import LedgerAccount
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Journal, PaymentMethod
from pawpact.core.errors import DomainError
from pawpact.outbox.models import OutboxEvent
from pawpact.storefront.enums import FulfilmentStatus, OrderStatus
from pawpact.storefront.errors import NotSellable, PriceBelowCost, ProductInvalid
from pawpact.storefront.models import Fulfilment, Order, Product, TrackingEvent
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.tasks import warehouse_events_process_task
from pawpact.warehouses.client import WarehouseClient
from pawpact.warehouses.models import Shipment, StockReservation, WarehouseEvent, WarehouseSku
from pawpact.warehouses.stock import stock_apply
from tests.storefront.conftest import customer_with_address, deliver

SKU = "FC-0001"  # cost ¥79.00 in the generated catalog


def _buyer(token="tok_success"):
    customer = customer_with_address()
    method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"{token}.{uuid.uuid4().hex[:12]}")
    return customer, method


def test_catalog_import_brings_every_sku_with_cost_and_stock(warehouse):
    skus = WarehouseSku.objects.filter(warehouse=warehouse)
    assert skus.count() == 1470
    assert warehouse.status == "active"
    first = skus.get(sku=SKU)
    # The sandbox warehouse lives for the whole session: earlier tests' orders moved its stock.
    held = WarehouseClient.for_warehouse(warehouse).call("GET", "/v1/stock", query={"skus": SKU})["items"][0]
    assert (first.cost_minor, first.category, first.available, first.stock_version) == (
        7900, "food", held["available"], held["stock_version"])  # fmt: skip
    assert first.available > 0
    assert warehouse.imports.get().pages == 3


def test_price_checks_write_nothing_on_bad_input(shop, linked):
    with schema_context(shop.schema_name):
        with pytest.raises(ProductInvalid):
            product_save(sku="NOPE-1", price_minor=10_000)
        with pytest.raises(PriceBelowCost):
            product_save(sku=SKU, price_minor=7_000)
        with pytest.raises(ProductInvalid):
            product_save(sku=SKU, price_minor=-5)
        assert Product.objects.count() == 0
        product = product_save(sku=SKU, price_minor=7_000, confirm_below_cost=True)
        assert product.price_minor == 7_000


def test_order_is_paid_booked_emitted_and_arrives_at_the_warehouse_once(
    shop, linked, sandbox_warehouse, relay, public_client, django_capture_on_commit_callbacks
):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
        customer, method = _buyer()
        cart_set(customer=customer, product=product, quantity=2)
        with django_capture_on_commit_callbacks(execute=True):
            order = checkout(customer=customer, payment_method=method, checkout_key="k-1")
        with django_capture_on_commit_callbacks(execute=True):
            again = checkout(customer=customer, payment_method=method, checkout_key="k-1")
        assert again.pk == order.pk and Order.objects.count() == 1
        assert (order.status, order.total_minor, order.cost_minor) == (OrderStatus.PAID, 25_800, 15_800)
        balances = account_balances()
        assert balances[LedgerAccount.STORE_CASH] == 25_800 and balances[LedgerAccount.GOODS_REVENUE] == -25_800
        assert balances[LedgerAccount.COST_OF_GOODS] == 15_800 and unbalanced_journals() == []
        events = OutboxEvent.objects.filter(kind="order.paid")
        assert [e.payload["amount_minor"] for e in events] == [25_800]
        parcel = Fulfilment.objects.get(order=order)
        assert parcel.status == FulfilmentStatus.SENT and parcel.uuid == order.uuid
    at_warehouse = [o for o in sandbox_warehouse.orders() if o["order_id"] == str(order.uuid)]
    assert [(o["status"], o["times_received"]) for o in at_warehouse] == [("accepted", 1)]
    # Reserved until the warehouse's stock report includes the order, then released once.
    sku = WarehouseSku.objects.get(warehouse=linked, sku=SKU)
    assert sku.reserved == 2
    sandbox_warehouse.tick()
    (report,) = [json.loads(c["body"]) for c in relay.take() if json.loads(c["body"])["type"] == "stock.changed"]
    stock_apply(warehouse_id=linked.pk, items=report["data"]["items"])
    stock_apply(warehouse_id=linked.pk, items=report["data"]["items"])
    sku.refresh_from_db()
    assert sku.reserved == 0 and sku.available == next(i["available"] for i in report["data"]["items"] if i["sku"] == SKU)
    assert Shipment.objects.get(reference=order.uuid).shop_id == shop.pk


def test_callbacks_twice_and_out_of_order_change_nothing_twice(
    shop, linked, sandbox_warehouse, relay, public_client, django_capture_on_commit_callbacks
):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
        customer, method = _buyer()
        cart_set(customer=customer, product=product, quantity=1)
        with django_capture_on_commit_callbacks(execute=True):
            order = checkout(customer=customer, payment_method=method, checkout_key="k-2")
    connection.set_schema_to_public()
    sandbox_warehouse.tick(ahead=3601)  # dispatched
    sandbox_warehouse.tick(ahead=3601 + 7201)  # delivered
    callbacks = [c for c in relay.take() if json.loads(c["body"])["data"].get("order_id") == str(order.uuid)]
    kinds = [json.loads(c["body"])["type"] for c in callbacks]
    assert "shipment.dispatched" in kinds and "shipment.delivered" in kinds
    # Delivered first, then everything again.
    ordered = sorted(callbacks, key=lambda c: json.loads(c["body"])["type"] != "shipment.delivered")
    statuses = [r.status_code for r in deliver(public_client, ordered)]
    assert set(statuses) == {200}
    warehouse_events_process_task()
    replay = [r.status_code for r in deliver(public_client, ordered)]
    assert set(replay) == {401}  # the same nonce again is a replay
    with schema_context(shop.schema_name):
        parcel = Fulfilment.objects.get(order=order)
        assert parcel.status == FulfilmentStatus.DELIVERED
        assert parcel.tracking_number and parcel.carrier
        assert TrackingEvent.objects.filter(fulfilment=parcel).count() == 2
    assert WarehouseEvent.objects.filter(payload__order_id=str(order.uuid)).count() == 2


def test_bad_signature_and_stale_timestamp_are_refused_with_nothing_stored(warehouse, public_client):
    body = json.dumps({"event_id": "e1", "type": "stock.changed", "created_at": "x", "data": {"items": []}})
    url = f"/webhooks/warehouse/{warehouse.code}/"
    bad = public_client.post(url, data=body, content_type="application/json", HTTP_X_PAWPACT_KEY="sandbox",
                             HTTP_X_PAWPACT_TIMESTAMP="1", HTTP_X_PAWPACT_NONCE="n" * 20,
                             HTTP_X_PAWPACT_SIGNATURE="v1=00")  # fmt: skip
    unsigned = public_client.post(url, data=body, content_type="application/json")
    assert (bad.status_code, unsigned.status_code) == (401, 401)
    assert bad.json()["code"] == "bad_signature" and unsigned.json()["code"] == "unsigned"
    assert WarehouseEvent.objects.count() == 0


def test_sold_out_sku_is_delisted_and_refused_then_relisted(shop, linked):
    sku = WarehouseSku.objects.get(warehouse=linked, sku=SKU)
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
        customer, method = _buyer()
    stock_apply(warehouse_id=linked.pk, items=[{"sku": SKU, "available": 0, "stock_version": sku.stock_version + 10}])
    stock_apply(warehouse_id=linked.pk, items=[{"sku": SKU, "available": 50, "stock_version": sku.stock_version + 5}])
    with schema_context(shop.schema_name):
        from pawpact.storefront.selectors import product_list

        assert not product_list().filter(pk=product.pk).exists()  # the older report changed nothing
        with pytest.raises(NotSellable):
            cart_set(customer=customer, product=Product.objects.get(pk=product.pk), quantity=1)
    stock_apply(warehouse_id=linked.pk, items=[{"sku": SKU, "available": 5, "stock_version": sku.stock_version + 11}])
    with schema_context(shop.schema_name):
        assert product_list().filter(pk=product.pk).exists()


def test_payment_declined_releases_stock_and_books_nothing(shop, linked):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
        customer, method = _buyer("tok_hard_decline")
        cart_set(customer=customer, product=product, quantity=3)
        order = checkout(customer=customer, payment_method=method, checkout_key="k-3")
        assert order.status == OrderStatus.PAYMENT_FAILED
        assert Journal.objects.count() == 0 and not OutboxEvent.objects.filter(kind="order.paid").exists()
        assert Fulfilment.objects.get(order=order).status == FulfilmentStatus.CANCELLED
    assert WarehouseSku.objects.get(warehouse=linked, sku=SKU).reserved == 0
    assert StockReservation.objects.get(reference=order.uuid).released_at is not None


def test_another_shops_payment_method_is_refused(shop, linked):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=12_900)
        customer, _ = _buyer()
        other, method = customer_with_address(name="Li", phone="13900139000"), None
        method = PaymentMethod.objects.create(customer=other, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:8]}")
        cart_set(customer=customer, product=product, quantity=1)
        with pytest.raises(DomainError):
            checkout(customer=customer, payment_method=method, checkout_key="k-4")
        assert Order.objects.count() == 0
