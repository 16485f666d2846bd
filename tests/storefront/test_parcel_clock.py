"""A test-mode shop's staff can make a parcel at the warehouse count as sent a day earlier,
so a broken dispatch promise shows at once (staff list and console); a live shop cannot, nor
can another shop move this shop's parcel."""
from django_tenants.utils import schema_context

from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.models import Fulfilment
from pawpact.tenants.models import Shop
from pawpact.warehouses.models import Shipment
from pawpact.workspace.enums import Role
from tests.storefront.test_sandbox_hold_dispatch import _order
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_day_later_in_test_mode_shows_the_breach(shop, other_shop, linked, sandbox_warehouse, relay,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    with schema_context(shop.schema_name):
        order = _order("Late Buyer", "13800138401", "age-1", django_capture_on_commit_callbacks)
        parcel = Fulfilment.objects.get(order=order)
    assert parcel.status == FulfilmentStatus.SENT
    before = (parcel.sent_at, parcel.due_at, Shipment.objects.get(reference=parcel.uuid).due_at)
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    page = owner.get("/manage/parcels/", **EN).content.decode()
    assert "Test: 24 h later" in page and "None: every parcel left the warehouse on time." in page
    elsewhere = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    elsewhere.post(f"/manage/parcels/{parcel.uuid}/age/")
    with schema_context(shop.schema_name):
        assert Fulfilment.objects.get(pk=parcel.pk).due_at == before[1]
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.post(f"/manage/parcels/{parcel.uuid}/age/").status_code == 403
    done = owner.post(f"/manage/parcels/{parcel.uuid}/age/", follow=True, **EN).content.decode()
    assert "sent and promised 24 hours earlier" in done
    with schema_context(shop.schema_name):
        aged = Fulfilment.objects.get(pk=parcel.pk)
    assert (before[0] - aged.sent_at).total_seconds() == 86_400 and (before[1] - aged.due_at).total_seconds() == 86_400
    assert (before[2] - Shipment.objects.get(reference=parcel.uuid).due_at).total_seconds() == 86_400
    breaches = done.split("Dispatch promises broken")[1].split("</div>")[0]
    assert "Late Buyer" in breaches
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    live = owner.post(f"/manage/parcels/{parcel.uuid}/age/", follow=True, **EN).content.decode()
    assert "Only a shop in test mode can move a parcel&#x27;s time." in live
    with schema_context(shop.schema_name):
        assert Fulfilment.objects.get(pk=parcel.pk).due_at == aged.due_at
