"""A clerk serves and looks: no prices, costs, margins, refunds or reship decisions (the owner
and managers decide). Orders, parcels and the catalog export as XLSX and CSV, each shop its own."""
import io

from django_tenants.utils import schema_context
from openpyxl import load_workbook

from pawpact.storefront.models import Order, Product
from pawpact.storefront.services.catalog import product_save
from pawpact.workspace.enums import Role
from tests.storefront.test_refunds import _paid_order
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_clerk_sees_no_cost_and_changes_no_price(shop, linked):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    page = clerk.get("/manage/catalog/?q=FC-0001", **EN).content.decode()
    assert "FC-0001" in page and "¥129.00" in page
    assert "¥79.00" not in page and "Margin" not in page and 'name="price"' not in page and "Plan margins" not in page
    refused = clerk.post("/manage/catalog/?q=FC-0001", {"sku": "FC-0001", "price": "99.50", "is_listed": "on"}, **EN)
    assert refused.status_code == 403
    with schema_context(shop.schema_name):
        assert Product.objects.get(pk=product.pk).price_minor == 12_900
    manager = client_for(shop, staff_user(shop, Role.MANAGER))
    assert "¥79.00" in manager.get("/manage/catalog/?q=FC-0001", **EN).content.decode()


def test_a_clerk_cannot_refund_or_cancel(shop, linked):
    with schema_context(shop.schema_name):
        order = _paid_order()
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    page = clerk.get(f"/manage/orders/{order.uuid}/", **EN).content.decode()
    assert page and 'name="amount"' not in page and "Cancel and refund" not in page
    for data in ({"action": "refund", "amount": "1", "reason": "goodwill"}, {"action": "cancel"}):
        assert clerk.post(f"/manage/orders/{order.uuid}/", data).status_code == 403
    with schema_context(shop.schema_name):
        order = Order.objects.get(pk=order.pk)
        assert (order.status, order.refunded_minor, order.refunds.count()) == ("paid", 0, 0)
    assert clerk.post("/manage/parcels/reships/00000000-0000-0000-0000-000000000000/decide/",
                      {"decision": "approve"}).status_code == 403  # fmt: skip


def _csv(response) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_orders_parcels_and_catalog_export_what_the_shop_has(shop, other_shop, linked):
    with schema_context(shop.schema_name):
        order = _paid_order()
        number = order.number
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    to_export = owner.get("/manage/orders/?export=csv")
    assert to_export.status_code == 302 and to_export["Location"] == "/manage/orders/export/?export=csv"
    orders = _csv(owner.get(to_export["Location"], **EN))
    assert orders[0].startswith("Order,Customer,Mobile phone,Status") and len(orders) == 2
    assert orders[1].startswith(f"{number},") and ",Paid," in orders[1] and ",258.00," in orders[1]
    parcels_link = owner.get("/manage/parcels/?export=csv")
    assert parcels_link["Location"] == "/manage/parcels/export/?export=csv"
    parcels = _csv(owner.get(parcels_link["Location"], **EN))
    assert len(parcels) == 2 and f",{number}," in parcels[1]
    xlsx = owner.get(owner.get("/manage/catalog/?q=FC&export=xlsx")["Location"], **EN)
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("SKU", "Product", "Product (English)")
    # Every SKU the list shows for "FC", on sale here or not; only FC-0001 has a price.
    assert [(r[0], float(r[5]), float(r[6]), r[7], r[8]) for r in rows[1:] if r[6] is not None] == [
        ("FC-0001", 79.0, 129.0, "38.8%", "On sale")]
    assert all(r[8] == "Not on sale" for r in rows[1:] if r[6] is None) and len(rows) > 2
    page = owner.get("/manage/parcels/", **EN).content.decode()
    assert "?export=xlsx" in page and "/manage/orders/?export=csv" in page
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.get("/manage/catalog/export/?export=csv").status_code == 403
    other = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert len(_csv(other.get("/manage/orders/export/?export=csv"))) == 1  # headers only
    assert len(_csv(other.get("/manage/parcels/export/?export=csv"))) == 1
