"""Onboarding a partner warehouse in the platform console (register, credentials, check,
catalog import with progress, shops and SLA), and a shop linking to one in its settings;
what other hosts, shops and roles may not reach."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.tenants.secrets import text_decrypt as secret_decrypt
from pawpact.warehouses.models import CatalogImport, Shipment, Warehouse, WarehouseLink, WarehouseSku
from pawpact.warehouses.services import shop_link
from pawpact.workspace.enums import Role
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.conftest import SECRET, customer_with_address
from tests.workspace.conftest import client_for, staff_user


@pytest.fixture
def console(public_client, db):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    return public_client


def _register(console, sandbox_warehouse, **overrides):
    data = {"name": "East Cloud", "code": "east", "base_url": sandbox_warehouse.url, "key_id": "sandbox", "secret": SECRET}
    return console.post("/console/warehouses/", {**data, **overrides})


def test_register_refuses_bad_details_and_keeps_the_secret_encrypted(console, sandbox_warehouse):
    bad = _register(console, sandbox_warehouse, base_url="ftp://x", secret="short")
    assert bad.status_code == 200 and Warehouse.objects.count() == 0
    assert "Enter a valid URL." in bad.content.decode() or "http://" in bad.content.decode()
    done = _register(console, sandbox_warehouse)
    warehouse = Warehouse.objects.get(code="east")
    assert done["Location"] == f"/console/warehouses/{warehouse.pk}/"
    assert SECRET not in warehouse.secret_encrypted and secret_decrypt(warehouse.secret_encrypted) == SECRET
    page = console.get(done["Location"]).content.decode()
    assert SECRET not in page and "Not checked yet" in page
    again = _register(console, sandbox_warehouse, name="Other")
    assert "A warehouse with this code exists." in again.content.decode() and Warehouse.objects.count() == 1


def test_check_passes_or_fails_with_the_reason(console, sandbox_warehouse, relay):
    sandbox_warehouse.faults(down=False, slow_seconds=0, drop_callbacks=False)
    _register(console, sandbox_warehouse)
    warehouse = Warehouse.objects.get(code="east")
    page = console.post(f"/console/warehouses/{warehouse.pk}/check/", follow=True).content.decode()
    warehouse.refresh_from_db()
    assert warehouse.last_check_ok is True and "Reachable; signatures accepted; 1470 SKUs." in page
    console.post(f"/console/warehouses/{warehouse.pk}/", {"base_url": sandbox_warehouse.url, "key_id": "sandbox",
                                                          "secret": "a-wrong-secret-of-enough-length"})  # fmt: skip
    warehouse.refresh_from_db()
    assert warehouse.last_check_ok is None  # new credentials: the last check no longer holds
    page = console.post(f"/console/warehouses/{warehouse.pk}/check/", follow=True).content.decode()
    warehouse.refresh_from_db()
    assert warehouse.last_check_ok is False and "The warehouse refused our signature" in page


def test_import_shows_progress_then_activates_and_lists_shops_and_sla(console, sandbox_warehouse, relay, shop, other_shop):
    sandbox_warehouse.faults(down=False, slow_seconds=0, drop_callbacks=False)
    _register(console, sandbox_warehouse)
    warehouse = Warehouse.objects.get(code="east")
    console.post(f"/console/warehouses/{warehouse.pk}/import/")
    run = CatalogImport.objects.get(warehouse=warehouse)
    assert (run.status, run.items, run.expected_items, run.pages) == ("done", 1470, 1470, 3)
    fragment = console.get(f"/console/warehouses/{warehouse.pk}/imports/{run.pk}/").content.decode()
    assert 'value="1470"' in fragment and "1470 SKUs imported (3 pages)" in fragment and "hx-trigger" not in fragment
    warehouse.refresh_from_db()
    assert warehouse.status == "active" and WarehouseSku.objects.filter(warehouse=warehouse).count() == 1470
    shop_link(shop=shop, warehouse=warehouse)
    now = timezone.now()
    for hours_late, dispatched in ((-1, True), (2, True), (None, False)):
        due = now - timedelta(hours=3)
        Shipment.objects.create(warehouse=warehouse, shop=shop, kind="order", sent_at=due - timedelta(hours=24), due_at=due,
                                dispatched_at=due + timedelta(hours=hours_late) if dispatched else None)  # fmt: skip
    page = console.get(f"/console/warehouses/{warehouse.pk}/").content.decode()
    assert "Alpha Pets" in page and "Beta" not in page.split("Shops using it")[1]
    assert "<td>Dispatch within 24 h</td><td>3</td><td>1</td><td>1</td><td>1</td><td>33%</td>" in page
    listing = console.get("/console/warehouses/").content.decode()
    assert "East Cloud" in listing and ">1470</td>" in listing


def test_console_is_for_platform_staff_on_the_base_domain_only(public_client, shop, sandbox_warehouse):
    assert public_client.get("/console/warehouses/").status_code == 302
    assert public_client.post("/console/warehouses/", {"name": "x"}).status_code == 302
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    assert owner.get("/console/warehouses/").status_code == 404  # not a route of a shop's host
    assert Warehouse.objects.count() == 0


def test_shop_links_an_onboarded_warehouse_in_settings_and_only_its_own(shop, other_shop, warehouse):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    page = owner.get("/manage/settings/warehouse/").content.decode()
    assert "Sandbox Cloud Warehouse" in page and "1470 SKUs" in page
    refused = owner.post("/manage/settings/warehouse/", {"warehouse": "999999"}, follow=True).content.decode()
    assert "Choose one of the listed warehouses." in refused and not WarehouseLink.objects.exists()
    owner.post("/manage/settings/warehouse/", {"warehouse": str(warehouse.pk)})
    assert list(WarehouseLink.objects.values_list("shop_id", "warehouse_id")) == [(shop.pk, warehouse.pk)]
    other_owner = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert "· linked" not in other_owner.get("/manage/settings/warehouse/").content.decode()
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.post("/manage/settings/warehouse/", {"warehouse": str(warehouse.pk)}).status_code == 403


def test_moving_to_another_warehouse_waits_for_open_parcels(shop, linked, django_capture_on_commit_callbacks):
    from pawpact.billing.models import PaymentMethod
    from pawpact.storefront.errors import WarehouseChangeRefused
    from pawpact.storefront.services.catalog import product_save, warehouse_link_set
    from pawpact.storefront.services.orders import cart_set, checkout

    second = Warehouse.objects.create(code="west", name="West", base_url="http://127.0.0.1:9", key_id="k",
                                      secret_encrypted="x", status="active")  # fmt: skip
    with schema_context(shop.schema_name):
        customer = customer_with_address()
        method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token="tok_success.move")
        cart_set(customer=customer, product=product_save(sku="FC-0001", price_minor=12_900), quantity=1)
        checkout(customer=customer, payment_method=method, checkout_key="move-1")
        with pytest.raises(WarehouseChangeRefused):
            warehouse_link_set(warehouse_id=second.pk)
    assert WarehouseLink.objects.get(shop=shop).warehouse_id == linked.pk


def test_shop_host_has_no_console_route(shop):
    assert Client(HTTP_HOST=host_of(shop)).get("/console/warehouses/1/").status_code == 404
