"""Fifty buyers at once for ten units: exactly ten reservations, in real concurrent
transactions (threads with their own connections, on committed rows)."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from pawpact.warehouses.errors import OutOfStock
from pawpact.warehouses.models import StockReservation, Warehouse, WarehouseSku
from pawpact.warehouses.stock import stock_reserve


def _in_thread(function):
    """Run `function` in a thread of its own: its own connection, autocommit, committed for all."""
    result = {}

    def run():
        try:
            result["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result.get("value")


@pytest.mark.django_db
def test_fifty_concurrent_buyers_ten_units_exactly_ten(shop):
    code = f"race-{uuid.uuid4().hex[:8]}"

    def setup():
        warehouse = Warehouse.objects.create(code=code, name="Race", base_url="http://127.0.0.1:9", key_id="k",
                                             secret_encrypted="x")  # fmt: skip
        return WarehouseSku.objects.create(warehouse=warehouse, sku="HOT-1", name="Hot", category="food",
                                           cost_minor=1000, available=10, stock_version=1).pk  # fmt: skip

    sku_id = _in_thread(setup)
    barrier = threading.Barrier(50)

    def buy(_):
        barrier.wait()
        try:
            stock_reserve(shop_id=shop.pk, reference=uuid.uuid4(), lines=[(sku_id, 1)])
            return True
        except OutOfStock:
            return False
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            outcomes = list(pool.map(buy, range(50)))
        counts = _in_thread(lambda: (StockReservation.objects.filter(sku_id=sku_id).count(),
                                     WarehouseSku.objects.get(pk=sku_id).reserved))  # fmt: skip
        assert outcomes.count(True) == 10
        assert counts == (10, 10)
    finally:
        def cleanup():
            StockReservation.objects.filter(sku_id=sku_id).delete()
            WarehouseSku.objects.filter(pk=sku_id).delete()
            Warehouse.objects.filter(code=code).delete()

        _in_thread(cleanup)
        connection.set_schema_to_public()
