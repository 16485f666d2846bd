"""The coupon API checks the staff role as the Marketing pages do: a clerk reads coupons and
redeems one on a contract; only an owner or a manager creates or edits templates, issues by
hand, saves segments and starts campaigns. A refused call answers 403 in the error shape and
writes nothing."""
import pytest
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import COUPON_TEMPLATE, opaque_id
from pawpact.accounts.services import api_token_issue
from pawpact.loyalty.coupon_models import Campaign, Coupon, CouponTemplate, CouponUse, Segment
from pawpact.loyalty.coupons import coupon_issue
from pawpact.workspace.enums import Role
from tests.billing.lifecycle.termination.helpers import adopt
from tests.loyalty.coupon_helpers import amount_off
from tests.loyalty.test_coupon_api import api, error
from tests.workspace.conftest import staff_user

pytestmark = pytest.mark.django_db
TEMPLATE = {"name": "¥50 off", "kind": "amount_off", "amount_off_minor": 5_000, "valid_days": 30}


def _token(shop, role: Role) -> str:
    user = staff_user(shop, role)
    with schema_context(shop.schema_name):
        return api_token_issue(user=user)


def _counts(shop) -> tuple:
    with schema_context(shop.schema_name):
        return (CouponTemplate.objects.count(), Coupon.objects.count(), Segment.objects.count(),
                Campaign.objects.count(), CouponUse.objects.count())  # fmt: skip


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.CLERK])
def test_templates_issues_segments_and_campaigns_by_role(shop, role):
    with schema_context(shop.schema_name):
        template = amount_off(5_000)
        contract = adopt()
        customer_uuid = str(contract.customer.uuid)
    client = api(shop, _token(shop, role))
    calls = [
        lambda: client.get("/api/v1/coupon-templates"),
        lambda: client.post("/api/v1/coupon-templates", TEMPLATE, format="json", HTTP_IDEMPOTENCY_KEY="t1"),
        lambda: client.post(f"/api/v1/coupon-templates/{opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)}/issue", {"customer_uuid": customer_uuid},
                            format="json", HTTP_IDEMPOTENCY_KEY="i1"),
        lambda: client.patch(f"/api/v1/coupon-templates/{opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)}", {"enabled": False}, format="json"),
        lambda: client.post("/api/v1/saved-segments", {"name": "All", "filters": {}}, format="json"),
        lambda: client.get("/api/v1/campaigns"),
    ]  # fmt: skip
    before = _counts(shop)
    answers = [call() for call in calls]
    if role == Role.CLERK:
        for response in answers:
            assert error(response, 403)["code"] == "permission_denied"
        assert _counts(shop) == before
        with schema_context(shop.schema_name):
            assert CouponTemplate.objects.get(pk=template.pk).enabled is True
    else:
        assert [response.status_code for response in answers] == [200, 201, 201, 200, 201, 200]
        assert _counts(shop) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3], 0)


def test_a_clerk_reads_and_redeems_a_customers_coupon_on_a_contract(shop):
    with schema_context(shop.schema_name):
        contract = adopt()
        coupon = coupon_issue(template=amount_off(5_000), customer=contract.customer, source_key="desk-1")
    clerk = api(shop, _token(shop, Role.CLERK))
    assert clerk.get(f"/api/v1/coupons/{coupon.code}").json()["status"] == "issued"
    listed = clerk.get("/api/v1/coupons", {"customer_uuid": str(contract.customer.uuid)}).json()["results"]
    assert [row["code"] for row in listed] == [coupon.code]
    applied = clerk.post(f"/api/v1/coupons/{coupon.code}/apply", {"contract_uuid": str(contract.uuid)},
                         format="json", HTTP_IDEMPOTENCY_KEY="apply-1")  # fmt: skip
    assert applied.status_code == 200 and applied.json()["use"]["amount_minor"] == 5_000
    with schema_context(shop.schema_name):
        assert Coupon.objects.get(pk=coupon.pk).status == "used" and CouponUse.objects.count() == 1
