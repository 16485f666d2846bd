"""The coupon API: a customer sees and uses only their own coupons, staff manage templates,
issue (once per Idempotency-Key), segments and campaigns; bad input answers the one error
shape and writes nothing; another shop's token sees nothing of this shop."""
import itertools
import uuid
from datetime import date

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import COUPON_TEMPLATE, opaque_id
from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.billing.models import DebitPeriod
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import Campaign, Coupon, CouponTemplate
from pawpact.loyalty.coupons import coupon_issue, coupon_redeem_order
from tests.billing.lifecycle.termination.helpers import adopt
from tests.conftest import SHOP_PASSWORD, host_of
from tests.loyalty.coupon_helpers import amount_off

_emails = itertools.count(1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_staff(shop):
    """A manager of `shop` with an API token: templates and campaigns are the owner's and managers' (a
    staff member without a role is a clerk; tests/loyalty/test_coupon_api_roles.py covers each role)."""
    from pawpact.workspace.enums import Role
    from tests.workspace.conftest import staff_user

    user = staff_user(shop, Role.MANAGER, email="coupon-manager@alpha.test")
    with schema_context(shop.schema_name):
        user.api_token = api_token_issue(user=user)
    return user


def api(shop, token=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def login(customer) -> str:
    user = User.objects.create_user(f"coupon{next(_emails)}@example.com", SHOP_PASSWORD, name=customer.name)
    customer.user = user
    customer.save(update_fields=["user"])
    return api_token_issue(user=user)


def _customer(phone: str) -> Customer:
    return Customer.objects.create(name=f"C {phone}", phone=phone, birth_date=date(1990, 1, 1))


def test_a_customer_lists_and_reads_only_their_own_coupons(shop, other_shop, shop_staff):
    with schema_context(shop.schema_name):
        template = amount_off(1_000, per_customer_limit=3)
        mine, theirs = _customer("13800000001"), _customer("13800000002")
        own = coupon_issue(template=template, customer=mine, source_key="a")
        used = coupon_issue(template=template, customer=mine, source_key="b")
        coupon_redeem_order(customer=mine, coupon_code=used.code, order_uuid="o-1", amount_minor=1_000)
        other = coupon_issue(template=template, customer=theirs, source_key="c")
        token = login(mine)
    client = api(shop, token)
    body = client.get("/api/v1/coupons").json()
    assert body["object"] == "list" and {c["code"] for c in body["results"]} == {own.code, used.code}
    only_used = client.get("/api/v1/coupons?status=used").json()["results"]
    assert [c["code"] for c in only_used] == [used.code]
    assert only_used[0]["use"] == {"kind": "order", "reference": "o-1", "amount_minor": 1_000,
                                   "used_at": only_used[0]["use"]["used_at"]}  # fmt: skip
    single = client.get(f"/api/v1/coupons/{own.code}").json()
    assert (single["object"], single["status"], single["template"]["amount_off_minor"]) == ("coupon", "issued", 1_000)
    error(client.get(f"/api/v1/coupons/{other.code}"), 404)
    error(client.get("/api/v1/coupons?status=lost"), 400)
    error(client.get("/api/v1/coupon-templates"), 403)
    staff = api(shop, shop_staff.api_token)
    assert len(staff.get("/api/v1/coupons").json()["results"]) == 3
    with schema_context(other_shop.schema_name):
        stranger = User.objects.create_user("beta-coupons@beta.test", SHOP_PASSWORD, name="Beta", is_staff=True)
        beta_token = api_token_issue(user=stranger)
    assert api(other_shop, beta_token).get("/api/v1/coupons").json()["results"] == []
    error(api(other_shop, beta_token).get(f"/api/v1/coupons/{own.code}"), 404)
    error(api(shop, beta_token).get("/api/v1/coupons"), 401)  # another shop's token means nothing here


def test_staff_templates_bad_input_writes_nothing(shop, shop_staff):
    staff = api(shop, shop_staff.api_token)
    for bad, field in (
        ({"kind": "percent_off", "percent_off": 101, "valid_days": 7}, "percent_off"),
        ({"kind": "percent_off", "percent_off": 0, "valid_days": 7}, "percent_off"),
        ({"kind": "amount_off", "amount_off_minor": 10.005, "valid_days": 7}, "amount_off_minor"),
        ({"kind": "amount_off", "amount_off_minor": 500, "valid_from": "2026-05-01", "valid_until": "2026-04-01"},
         "valid_until"),  # fmt: skip
    ):
        body = error(staff.post("/api/v1/coupon-templates", {"name": "Bad", **bad}, format="json"), 400)
        assert field in body["fields"]
    with schema_context(shop.schema_name):
        assert CouponTemplate.objects.count() == 0
    created = staff.post("/api/v1/coupon-templates", {"name": "¥50 off", "kind": "amount_off",
                                                      "amount_off_minor": 5_000, "valid_days": 30}, format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["object"] == "coupon_template"
    pk = created.json()["id"]
    assert staff.patch(f"/api/v1/coupon-templates/{pk}", {"enabled": False}, format="json").json()["enabled"] is False


def test_issue_once_per_key_and_apply_on_a_contract(shop, shop_staff):
    with schema_context(shop.schema_name):
        template = amount_off(5_000, per_customer_limit=5)
        contract = adopt()
        token = login(contract.customer)
        customer_uuid = str(contract.customer.uuid)
    staff = api(shop, shop_staff.api_token)
    key = str(uuid.uuid4())
    first = staff.post(f"/api/v1/coupon-templates/{opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)}/issue", {"customer_uuid": customer_uuid},
                       format="json", HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    again = staff.post(f"/api/v1/coupon-templates/{opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)}/issue", {"customer_uuid": customer_uuid},
                       format="json", HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    assert first.status_code == 201 and again.json()["code"] == first.json()["code"]
    error(staff.post(f"/api/v1/coupon-templates/{opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)}/issue", {"customer_uuid": str(uuid.uuid4())},
                     format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), 404)  # fmt: skip
    with schema_context(shop.schema_name):
        assert Coupon.objects.count() == 1
    code = first.json()["code"]
    customer = api(shop, token)
    error(customer.post(f"/api/v1/coupons/{code}/apply", {"contract_uuid": str(contract.uuid)}, format="json"), 400)
    applied = customer.post(f"/api/v1/coupons/{code}/apply", {"contract_uuid": str(contract.uuid)}, format="json",
                            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert applied.status_code == 200 and applied.json()["use"]["amount_minor"] == 5_000
    body = error(customer.post(f"/api/v1/coupons/{code}/apply", {"contract_uuid": str(contract.uuid)}, format="json",
                               HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), 409)  # fmt: skip
    assert body["code"] == "coupon_used"
    with schema_context(shop.schema_name):
        assert DebitPeriod.objects.get(contract=contract, number=2).amount_minor == 39_900 - 5_000


def test_segments_and_a_campaign_over_the_api(shop, shop_staff, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        template = amount_off(1_000)
        _customer("13800000005")
    staff = api(shop, shop_staff.api_token)
    error(staff.post("/api/v1/saved-segments", {"name": "X", "filters": {"r_min": 9}}, format="json"), 400)
    segment = staff.post("/api/v1/saved-segments", {"name": "All", "filters": {}}, format="json").json()
    assert segment["member_count"] == 1
    listed = staff.get("/api/v1/saved-segments").json()  # the one-page list its schema declares
    assert (listed["object"], listed["has_more"], [row["id"] for row in listed["results"]]) == ("list", False, [segment["id"]])
    with django_capture_on_commit_callbacks() as queued:
        started = staff.post("/api/v1/campaigns", {"name": "Hello", "segment_id": segment["id"], "kind": "coupon",
                                                   "template_id": opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)}, format="json",
                             HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert started.status_code == 202 and started.json()["status"] == "queued"
    with schema_context(shop.schema_name):
        for callback in queued:
            callback()
    done = staff.get(f"/api/v1/campaigns/{started.json()['id']}").json()
    assert (done["status"], done["total"], done["sent"], done["suppressed"], done["redeemed"]) == ("done", 1, 1, 0, 0)
    error(staff.post("/api/v1/campaigns", {"name": "Bad", "segment_id": segment["id"], "kind": "coupon"},
                     format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), 400)  # fmt: skip
    with schema_context(shop.schema_name):
        assert Campaign.objects.count() == 1
