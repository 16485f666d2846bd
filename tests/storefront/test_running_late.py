"""A parcel past its dispatch promise tells its customer it is late; a test-mode time shift is
named as such on the timeline (it would otherwise read as sent before it was ordered)."""
from django.utils.timezone import localtime
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.models import Fulfilment
from pawpact.storefront.services.parcel_clock import parcel_age_for_test
from tests.storefront.test_sandbox_hold_dispatch import _order
from tests.workspace.conftest import client_for

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_the_customer_reads_that_the_parcel_is_late(shop, linked, sandbox_warehouse, relay,
                                                    django_capture_on_commit_callbacks):  # fmt: skip
    with schema_context(shop.schema_name):
        order = _order("Late Buyer", "13800138402", "late-1", django_capture_on_commit_callbacks)
        order.customer.user = User.objects.create_user("late@alpha.test", "pw-long-enough-1")
        order.customer.save(update_fields=["user"])
        parcel = Fulfilment.objects.get(order=order)
    web = client_for(shop, order.customer.user)
    on_time = web.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    assert "data-running-late" not in on_time and "moved back in time" not in on_time
    with schema_context(shop.schema_name):
        aged = parcel_age_for_test(parcel_uuid=parcel.uuid)
    late = web.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    assert "Running late" in late and f"It was due to leave the warehouse by {localtime(aged.due_at):%Y-%m-%d %H:%M}." in late
    assert "The shop sees the delay" in late and "test mode: moved back in time" in late
    zh = web.get(f"/shop/orders/{order.uuid}/", **ZH).content.decode()
    assert "发货已超时" in zh and "测试模式：时间已前移" in zh
