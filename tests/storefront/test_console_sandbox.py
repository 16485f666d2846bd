"""From the console, platform staff make a sandbox warehouse go down and come back; the hold
controls stay on the page (disabled, saying why) while it is down; one order is held by the
number staff pages show (SO…)."""
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.warehouses.models import Shipment, Warehouse
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.test_sandbox_hold_dispatch import _order

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_go_down_come_back_and_hold_by_order_number(shop, linked, sandbox_warehouse, relay, public_client,
                                                    django_capture_on_commit_callbacks):  # fmt: skip
    with schema_context(shop.schema_name):
        order = _order("Console Buyer", "13800138301", "console-1", django_capture_on_commit_callbacks)
        number = order.number
    assert Shipment.objects.get(reference=order.fulfilment.uuid).label == number
    admin = User.objects.create_user("ops-fault@pawpact.test", SHOP_PASSWORD, is_staff=True)
    public_client.force_login(admin)
    url = f"/console/warehouses/{linked.pk}/"
    public_client.post(f"{url}check/", follow=True)
    try:
        down = public_client.post(f"{url}fault/", {"down": "1"}, follow=True, **EN).content.decode()
        assert "The warehouse is down" in down
        assert Warehouse.objects.get(pk=linked.pk).last_check_ok is False
        assert "data-sandbox-holds" in down and "data-holds-disabled" in down and "Come back" in down
        refused = public_client.post(f"{url}hold/", {"hold": "1"}, follow=True, **EN).content.decode()
        assert "Only a sandbox warehouse can be told to hold dispatch." in refused
        assert sandbox_warehouse.control("holds")["all"] is False
        back = public_client.post(f"{url}fault/", {"down": "0"}, follow=True, **EN).content.decode()
        assert "The warehouse is back" in back and "data-holds-disabled" not in back
        assert Warehouse.objects.get(pk=linked.pk).last_check_ok is True
        held = public_client.post(f"{url}hold/", {"hold": "1", "order_id": number}, follow=True, **EN).content.decode()
        assert "Done: 1 order held." in held
        assert sandbox_warehouse.control("holds")["orders"] == [str(order.fulfilment.uuid)]
        unknown = public_client.post(f"{url}hold/", {"hold": "1", "order_id": "SO99010100009"}, follow=True, **EN)
        assert "No order with this number has reached this warehouse." in unknown.content.decode()
        assert sandbox_warehouse.control("holds")["orders"] == [str(order.fulfilment.uuid)]
    finally:
        sandbox_warehouse.faults(down=False)
        public_client.post(f"{url}hold/", {"hold": "0", "order_id": str(order.fulfilment.uuid)}, follow=True)
    assert public_client.post(f"{url}fault/", {"down": "1"}, HTTP_HOST=host_of(shop)).status_code == 404  # not on a shop host
