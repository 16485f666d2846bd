"""A reship names what it sends again: the broken-promise list and the parcels export carry its
order's number (a plan box's reship its plan and month), as the main list does. Another shop's
lists and export hold none of it."""
import csv
import io
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.models import Fulfilment, ReshipRequest
from pawpact.workspace.enums import Role
from tests.storefront.test_box_reship_pages import _box_customer, _web
from tests.storefront.test_order_reships import _dispatched_two_line_order
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_late_order_reship_names_its_order_on_the_list_and_in_the_export(shop, other_shop, linked):
    user, order, lines = _dispatched_two_line_order(shop)
    client_for(shop, user).post(f"/shop/orders/{order.uuid}/", {
        f"item_{lines['FC-0001'].pk}": "1", f"item_{lines['L-0001'].pk}": "0", "reason": "missing", "note": "x"})
    with schema_context(shop.schema_name):
        reship = ReshipRequest.objects.get().reship
        Fulfilment.objects.filter(pk=reship.pk).update(status=FulfilmentStatus.SENT,
                                                       due_at=timezone.now() - timedelta(hours=2))  # fmt: skip
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    page = owner.get("/manage/parcels/", **EN).content.decode()
    broken = page[page.index("Dispatch promises broken"):page.index("Plan box reships to decide")]
    assert f'/manage/orders/{order.uuid}/">{order.number}</a>' in broken and "Reship" in broken
    rows = _csv(owner.get("/manage/parcels/export/?export=csv", **EN))
    header = rows[0]
    by_kind = {row[header.index("Parcel")]: row for row in rows[1:]}
    assert by_kind["Reship"][header.index("Order")] == order.number
    other = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert order.number not in other.get("/manage/parcels/", **EN).content.decode()
    assert len(_csv(other.get("/manage/parcels/export/?export=csv", **EN))) == 1


def test_a_plan_box_reship_names_its_month(shop, linked, shop_staff, django_capture_on_commit_callbacks):
    web, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    web.post(f"/shop/boxes/{box.uuid}/", {f"item_{lines['S-0001'].pk}": "1", f"item_{lines['FC-0002'].pk}": "0",
                                          "reason": "missing", "note": "no snack"})  # fmt: skip
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.get()
        plan_name = Fulfilment.objects.get(pk=box.pk).contract.plan_version.plan.name
    _web(shop, shop_staff).post(f"/manage/parcels/reships/{request.uuid}/decide/", {"decision": "approve", "note": ""})
    rows = _csv(_web(shop, shop_staff).get("/manage/parcels/export/?export=csv", **EN))
    header = rows[0]
    reship = next(row for row in rows[1:] if row[header.index("Parcel")] == "Reship")
    assert reship[header.index("Month")] == str(box.period_number)
    page = _web(shop, shop_staff).get("/manage/parcels/", **EN).content.decode()
    assert f"{plan_name} · month {box.period_number}" in page
