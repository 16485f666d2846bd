"""The sandbox warehouse can be told (over HTTP, signed) to hold dispatch of one order or of
every order, so staff and testers can watch a dispatch promise run out: the held parcel is
listed as a breach for the shop's staff (not another shop's) and counted in the console's
SLA record; released, it ships late and stays counted as late."""
import json
import uuid
from datetime import timedelta

import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.models import PaymentMethod
from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.models import Fulfilment
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.tasks import warehouse_events_process_task
from pawpact.warehouses.models import Shipment
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.conftest import customer_with_address, deliver

SKU = "FC-0001"


def _order(name: str, phone: str, key: str, capture):
    customer = customer_with_address(name=name, phone=phone)
    method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:12]}")
    cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
    with capture(execute=True):
        return checkout(customer=customer, payment_method=method, checkout_key=key)


def _callbacks_applied(relay, public_client) -> None:
    connection.set_schema_to_public()
    shipped = [c for c in relay.take() if json.loads(c["body"])["type"].startswith("shipment.")]
    assert {r.status_code for r in deliver(public_client, shipped)} <= {200}
    warehouse_events_process_task()


def _staff_breaches(shop, email: str) -> str:
    with schema_context(shop.schema_name):
        staff = User.objects.create_user(email, SHOP_PASSWORD, is_staff=True)
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(staff)
    page = client.get("/manage/parcels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Orders &amp; parcels" in page, page[:2000]
    return page.split("<table>")[1] if "<table>" in page else ""


def _console_sla(console, linked) -> str:
    connection.set_schema_to_public()
    admin = User.objects.create_user(f"ops-{uuid.uuid4().hex[:6]}@pawpact.test", SHOP_PASSWORD, is_staff=True)
    console.force_login(admin)
    page = console.get(f"/console/warehouses/{linked.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return page.split("Dispatch within 24 h")[1].split("</tr>")[0]


def test_a_held_order_breaches_its_dispatch_promise_for_staff_and_the_console(
    shop, other_shop, linked, sandbox_warehouse, relay, public_client, django_capture_on_commit_callbacks
):
    with schema_context(shop.schema_name):
        held = _order("Held Buyer", "13800138201", "hold-1", django_capture_on_commit_callbacks)
        shipped = _order("Shipped Buyer", "13800138202", "hold-2", django_capture_on_commit_callbacks)
    assert sandbox_warehouse.hold(order_id=str(held.uuid)) == {"all": False, "orders": [str(held.uuid)]}
    sandbox_warehouse.tick(ahead=3601)  # past the sandbox's dispatch delay, well within 24 h
    _callbacks_applied(relay, public_client)
    with schema_context(shop.schema_name):
        statuses = dict(Fulfilment.objects.filter(order__in=[held, shipped]).values_list("order_id", "status"))
    assert statuses == {held.pk: FulfilmentStatus.SENT, shipped.pk: FulfilmentStatus.DISPATCHED}
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        breaches = _staff_breaches(shop, "staff@alpha.test")
        assert "Held Buyer" in breaches and "Shipped Buyer" not in breaches
        assert "Held Buyer" not in _staff_breaches(other_shop, "staff@beta.test")
        # sent, on time, late, late and still open, on-time rate
        assert _console_sla(public_client, linked) == "</td><td>2</td><td>1</td><td>0</td><td>1</td><td>50%</td>"
    sandbox_warehouse.hold(order_id=str(held.uuid), hold=False)
    sandbox_warehouse.tick(ahead=26 * 3600)  # released a day late
    _callbacks_applied(relay, public_client)
    assert Shipment.objects.get(reference=held.uuid).dispatched_at > Shipment.objects.get(reference=held.uuid).due_at
    with time_machine.travel(timezone.now() + timedelta(hours=27), tick=False):
        assert "Held Buyer" in _staff_breaches(shop, "staff2@alpha.test")  # dispatched late: still a breach
        assert _console_sla(public_client, linked) == "</td><td>2</td><td>1</td><td>1</td><td>0</td><td>50%</td>"


def test_holding_every_dispatch_and_bad_hold_requests(shop, linked, sandbox_warehouse, relay, public_client,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    with schema_context(shop.schema_name):
        order = _order("All Held", "13800138203", "hold-all", django_capture_on_commit_callbacks)
    assert sandbox_warehouse.hold(everything=True)["all"] is True
    try:
        assert sandbox_warehouse.tick(ahead=3601)["dispatched"] == 0
        status, body = sandbox_warehouse.call("POST", "/_sandbox/holds", {"hold": "yes"})
        assert (status, body["code"]) == (400, "invalid")
        status, _body = sandbox_warehouse.call("POST", "/_sandbox/holds", {"order_id": "x", "all": True})
        assert status == 400 and sandbox_warehouse.control("holds")["all"] is True
    finally:
        assert sandbox_warehouse.hold(everything=True, hold=False)["all"] is False
    assert sandbox_warehouse.tick(ahead=3601)["dispatched"] >= 1
    statuses = {o["order_id"]: o["status"] for o in sandbox_warehouse.orders()}
    assert statuses[str(order.uuid)] == "dispatched"


def test_platform_staff_hold_a_sandbox_warehouses_dispatch_from_the_console(shop, linked, sandbox_warehouse, relay,
                                                                           public_client):  # fmt: skip
    admin = User.objects.create_user("ops-hold@pawpact.test", SHOP_PASSWORD, is_staff=True)
    public_client.force_login(admin)
    url = f"/console/warehouses/{linked.pk}/"
    before = public_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hold every dispatch" not in before  # not checked yet: not known to be a sandbox
    refused = public_client.post(f"{url}hold/", {"hold": "1"}, HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert "Only a sandbox warehouse can be told to hold dispatch." in refused
    assert sandbox_warehouse.control("holds")["all"] is False  # nothing was asked of the warehouse
    public_client.post(f"{url}check/", follow=True)
    page = public_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "暂停所有发货" in page and "恢复此订单发货" in page
    try:
        held = public_client.post(f"{url}hold/", {"hold": "1"}, HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
        assert "Done: every dispatch is held." in held and sandbox_warehouse.control("holds")["all"] is True
        order_id = str(uuid.uuid4())
        public_client.post(f"{url}hold/", {"hold": "1", "order_id": order_id}, follow=True)
        assert order_id in sandbox_warehouse.control("holds")["orders"]
        bad = public_client.post(f"{url}hold/", {"hold": "1", "order_id": "x'; drop"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
        assert "No order with this number has reached this warehouse." in bad.content.decode()
        public_client.post(f"{url}hold/", {"hold": "0", "order_id": order_id}, follow=True)
        assert order_id not in sandbox_warehouse.control("holds")["orders"]
    finally:
        public_client.post(f"{url}hold/", {"hold": "0"}, follow=True)
    assert sandbox_warehouse.control("holds")["all"] is False
    assert public_client.post(f"{url}hold/", {"hold": "1"}, HTTP_HOST=host_of(shop)).status_code == 404  # not on a shop host
