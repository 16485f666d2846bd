"""A parcel waiting on a warehouse that is down keeps why as a code, worded in each reader's
language; reship items show in the reader's language whatever the customer's was."""
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.outbox.services import shop_event_publish
from pawpact.storefront.models import Fulfilment
from pawpact.workspace.enums import Role
from tests.storefront.test_plan_boxes import _contract_with_box, _paid_payload
from tests.workspace.conftest import client_for, staff_user


def test_a_warehouse_outage_reads_in_the_viewers_language(shop, linked, sandbox_warehouse,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    sandbox_warehouse.faults(down=True)
    try:
        with schema_context(shop.schema_name), translation.override("zh-hans"):
            contract = _contract_with_box()
            with django_capture_on_commit_callbacks(execute=True):
                shop_event_publish(kind="debit.paid", payload=_paid_payload(contract, 1))
            box = Fulfilment.objects.get(contract=contract)
            assert (box.status, box.last_reason, box.last_reason_params) == ("waiting", "server_error", {"status": 503})
    finally:
        sandbox_warehouse.faults(down=False)
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    english = owner.get("/manage/parcels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Will retry: The warehouse is not answering for now (HTTP 503)." in english and "仓库暂时" not in english
    chinese = owner.get("/manage/parcels/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "将重试：仓库暂时无法响应（HTTP 503）。" in chinese and "not answering" not in chinese
