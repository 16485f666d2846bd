"""A sandbox warehouse (a real child process speaking the protocol over HTTP) for the
storefront tests, registered and linked to the `shop`; a relay that receives its
callbacks over HTTP so a test can hand them to the webhook view in its own transaction."""
import http.server
import threading
from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.customers.models import Customer
from pawpact.storefront.models import ShippingAddress
from pawpact.warehouses.models import Warehouse
from pawpact.warehouses.services import catalog_import_run, catalog_import_start, shop_link, warehouse_register
from pawpact_warehouse.server import start

SECRET = "sandbox-secret-for-tests-0123456789"
CODE = "sandbox"


class Relay:
    """Receives the warehouse's callbacks (answering 200 at once, like our endpoint) and keeps them."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                relay.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/warehouse/{CODE}/"

    def take(self) -> list[dict]:
        taken, self.received = self.received, []
        return taken


@pytest.fixture(scope="session")
def sandbox_warehouse():
    process = start(secret=SECRET)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def relay():
    relay = Relay()
    yield relay
    relay.server.shutdown()


@pytest.fixture
def warehouse(db, sandbox_warehouse, relay):
    sandbox_warehouse.faults(down=False, slow_seconds=0, drop_callbacks=False)
    sandbox_warehouse.control("config", {"callback_url": relay.url, "dispatch_delay": 3600, "delivery_delay": 7200,
                                          "hold_dispatch": 0})
    relay.take()
    connection.set_schema_to_public()
    warehouse = warehouse_register(code=CODE, name="Sandbox Cloud Warehouse", base_url=sandbox_warehouse.url,
                                   key_id="sandbox", secret=SECRET)  # fmt: skip
    catalog_import_run(run=catalog_import_start(warehouse=warehouse))
    warehouse.refresh_from_db()
    return warehouse


@pytest.fixture
def linked(shop, warehouse):
    shop_link(shop=shop, warehouse=warehouse)
    return warehouse


# The address as the cart page shows it pre-filled: a checkout posts it back with the payment.
SHOWN_ADDRESS = {"name": "Wang Fang", "phone": "13800138000", "province": "上海市", "city": "上海市",
                 "district": "浦东新区", "address": "世纪大道 100 号"}  # fmt: skip


def customer_with_address(*, name="Wang Fang", phone="13800138000") -> Customer:
    """Call inside the shop's schema."""
    customer = Customer.objects.create(name=name, phone=phone, birth_date=date(1990, 5, 1))
    ShippingAddress.objects.create(customer=customer, name=name, phone=phone, province="上海市", city="上海市",
                                   district="浦东新区", address="世纪大道 100 号")  # fmt: skip
    return customer


def deliver(client, callbacks: list[dict]):
    """Hand relayed callbacks to our webhook endpoint, byte for byte, signature included."""
    responses = []
    for callback in callbacks:
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in callback["headers"].items()
                   if k.lower().startswith("x-pawpact")}  # fmt: skip
        responses.append(client.post(callback["path"], data=callback["body"], content_type="application/json", **headers))
    return responses


__all__ = ["Warehouse", "schema_context", "customer_with_address", "deliver", "SHOWN_ADDRESS"]


def as_manager(user):
    """Call inside the shop's schema: `user` becomes a manager (prices, costs, refunds, reship decisions)."""
    from pawpact.workspace.models import StaffRole

    StaffRole.objects.update_or_create(user=user, defaults={"role": "manager"})
    return user


@pytest.fixture
def shop_staff(shop_staff, shop):
    """The storefront's staff decide reships and see costs: a manager here."""
    with schema_context(shop.schema_name):
        as_manager(shop_staff)
    return shop_staff
