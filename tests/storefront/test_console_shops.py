"""The console counts and names every shop that sells from a warehouse, and stops counting a
shop the moment it moves to another warehouse."""
import re

from django.db import connection

from pawpact.accounts.models import User
from pawpact.warehouses.models import Warehouse
from pawpact.warehouses.services import shop_link
from tests.conftest import SHOP_PASSWORD


def _shops_cell(html: str, name: str) -> str:
    row = re.search(rf"{re.escape(name)}.*?</tr>", html, re.S).group(0)
    return re.findall(r"<td[^>]*>(\d+)</td>", row)[-1]


def test_every_linked_shop_is_counted_and_named(shop, other_shop, warehouse, public_client):
    shop_link(shop=shop, warehouse=warehouse)
    shop_link(shop=other_shop, warehouse=warehouse)
    connection.set_schema_to_public()
    public_client.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True))
    listed = public_client.get("/console/warehouses/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _shops_cell(listed, warehouse.name) == "2"
    detail = public_client.get(f"/console/warehouses/{warehouse.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shop.name in detail and other_shop.name in detail and "Shops using it <small>2</small>" in detail
    other = Warehouse.objects.create(code="test-b", name="Test B", base_url="http://127.0.0.1:9/", key_id="b",
                                     secret_encrypted="-", status="active")  # fmt: skip
    shop_link(shop=other_shop, warehouse=other)
    listed = public_client.get("/console/warehouses/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _shops_cell(listed, warehouse.name) == "1" and _shops_cell(listed, "Test B") == "1"


def test_the_same_address_and_key_cannot_be_registered_twice(db, sandbox_warehouse, public_client):
    from tests.storefront.conftest import SECRET

    public_client.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True))
    data = {"name": "East Cloud", "code": "east", "base_url": sandbox_warehouse.url, "key_id": "sandbox", "secret": SECRET}
    public_client.post("/console/warehouses/", data)
    again = public_client.post("/console/warehouses/", {**data, "name": "Twin", "code": "twin"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "East Cloud is registered with this address and key id already." in again.content.decode()
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["east"]
