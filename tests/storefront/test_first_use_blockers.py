"""What stopped a new shop on first use: a warehouse switch asks first and says what goes off sale;
orders and parcels are in the staff menu; the owner sets what a plan's box holds (cost and
margin shown, under 50% flagged) and the customer's boxes page says why nothing ships yet."""
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import PlanVersion
from pawpact.storefront.models import PlanBoxItem
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import Warehouse, WarehouseLink, WarehouseSku
from pawpact.workspace.enums import Role
from tests.billing.debits.factories import contract_create
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _second_warehouse() -> Warehouse:
    connection.set_schema_to_public()
    return Warehouse.objects.create(code="test-b", name="Test B", base_url="http://127.0.0.1:9/", key_id="b",
                                    secret_encrypted="-", status="active")  # fmt: skip


def test_switching_warehouse_asks_first_and_says_what_goes_off_sale(shop, linked):
    with schema_context(shop.schema_name):
        for sku in ("FC-0001", "FC-0002", "L-0001"):
            product_save(sku=sku, price_minor=20_000)
        version = PlanVersion.objects.filter(plan__is_active=True).first()
        from pawpact.storefront.services.catalog import plan_box_set

        plan_box_set(plan_version=version, items=[("FC-0001", 1)])
    other = _second_warehouse()
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    asked = owner.post("/manage/settings/warehouse/", {"warehouse": other.pk}, **EN)
    page = asked.content.decode()
    assert asked.status_code == 200 and "Change the partner warehouse?" in page
    assert "3 products on sale now come from the current warehouse and go off sale." in page
    assert "1 plan box item names a product of the current warehouse" in page
    assert 'name="confirm" value="yes"' in page
    assert WarehouseLink.objects.get(shop=shop).warehouse_id == linked.pk  # nothing changed yet
    done = owner.post("/manage/settings/warehouse/", {"warehouse": other.pk, "confirm": "yes"}, **EN)
    assert done.status_code == 302 and done["Location"] == "/manage/catalog/"
    assert WarehouseLink.objects.get(shop=shop).warehouse_id == other.pk
    after = owner.get("/manage/catalog/", **EN).content.decode()
    assert "Choose the products to sell from the new warehouse" in after


def test_orders_and_parcels_are_in_the_menu_and_orders_url_leads_there(shop, linked):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    html = owner.get("/manage/", **EN).content.decode()
    assert '<a href="/manage/parcels/">Orders &amp; parcels</a>' in html
    page = owner.get("/manage/parcels/", **EN).content.decode()
    assert 'class="current" aria-current="page">Orders &amp; parcels</a>' in page
    moved = owner.get("/manage/orders/")
    assert moved.status_code == 302 and moved["Location"] == "/manage/parcels/"


def _box_post(client, version, rows):
    data = {}
    for index, (sku, quantity) in enumerate(rows):
        data[f"sku_{index}"], data[f"quantity_{index}"] = sku, quantity
    return client.post(f"/manage/catalog/plans/{version.pk}/box/", data, **EN)


def test_the_owner_sets_a_plans_box_from_the_catalog_with_cost_and_margin(shop, linked):
    with schema_context(shop.schema_name):
        for sku in ("FC-0002", "L-0001", "S-0001"):
            product_save(sku=sku, price_minor=50_000)
        version = PlanVersion.objects.filter(plan__is_active=True).order_by("monthly_price_minor").first()
        costs = {s.sku: s.cost_minor for s in WarehouseSku.objects.filter(warehouse=linked, sku__in=["FC-0002", "S-0001"])}
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    catalog = owner.get("/manage/catalog/", **EN).content.decode()
    assert f"/manage/catalog/plans/{version.pk}/box/" in catalog and "Set box items" in catalog
    saved = _box_post(owner, version, [("FC-0002", "1"), ("S-0001", "2")])
    assert saved.status_code == 302
    with schema_context(shop.schema_name):
        assert sorted(PlanBoxItem.objects.filter(plan_version=version).values_list("warehouse_sku__sku", "quantity")) == [
            ("FC-0002", 1), ("S-0001", 2)]  # fmt: skip
    cost = costs["FC-0002"] + 2 * costs["S-0001"]
    page = owner.get(f"/manage/catalog/plans/{version.pk}/box/", **EN).content.decode()
    assert f"¥{cost / 100:,.2f}" in page
    margin = round((version.monthly_price_minor - cost) * 100 / version.monthly_price_minor)
    assert f"{margin}%" in page
    refused = _box_post(owner, version, [("FC-0002", "0")])
    assert refused.status_code == 400 and "Quantities are 1 to 99." in refused.content.decode()
    with schema_context(shop.schema_name):
        assert PlanBoxItem.objects.filter(plan_version=version).count() == 2  # unchanged


def test_an_expensive_box_is_flagged_below_half_margin(shop, linked):
    with schema_context(shop.schema_name):
        product_save(sku="FC-0002", price_minor=50_000)
        version = PlanVersion.objects.filter(plan__is_active=True).order_by("monthly_price_minor").first()
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    assert _box_post(owner, version, [("FC-0002", "20")]).status_code == 302
    page = owner.get(f"/manage/catalog/plans/{version.pk}/box/", **EN).content.decode()
    assert "less than 50% gross margin" in page


def test_a_clerk_may_not_set_boxes_and_another_shop_cannot_touch_them(shop, other_shop, linked):
    with schema_context(shop.schema_name):
        product_save(sku="FC-0002", price_minor=50_000)
        version = PlanVersion.objects.filter(plan__is_active=True).first()
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.get(f"/manage/catalog/plans/{version.pk}/box/").status_code == 403
    assert _box_post(clerk, version, [("FC-0002", "1")]).status_code == 403
    other_owner = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    _box_post(other_owner, version, [("FC-0002", "1")])  # the other shop is not linked: refused there
    with schema_context(shop.schema_name):
        assert PlanBoxItem.objects.count() == 0


@pytest.mark.parametrize("with_items, expected", [
    (False, "not set up by the shop yet"), (True, "a box ships for each month you have paid"),
])  # fmt: skip
def test_the_customers_boxes_page_says_why_nothing_shipped(shop, linked, with_items, expected):
    from pawpact.accounts.models import User
    from pawpact.storefront.services.catalog import plan_box_set

    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.ACTIVE)
        if with_items:
            plan_box_set(plan_version=contract.plan_version, items=[("FC-0002", 1)])
        user = User.objects.create_user("boxes@alpha.test", "pw-long-enough-1")
        contract.customer.user = user
        contract.customer.save(update_fields=["user"])
    page = client_for(shop, user).get("/shop/boxes/", **EN).content.decode()
    assert expected in page and "the first ships when a plan starts" not in page
