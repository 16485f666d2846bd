"""营销 Marketing pages: each role (clerk refused, nothing written), templates in yuan with
their errors, the issued list with filters and exports, triggers, segments, campaigns;
another shop's staff see none of it; the customer's "My coupons"."""
import csv
import io
from datetime import date

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from pawpact.accounts.models import User
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import Campaign, Coupon, CouponTemplate, CouponTrigger, Segment
from pawpact.loyalty.coupons import coupon_issue, coupon_redeem_order
from pawpact.workspace.enums import Role
from tests.conftest import host_of
from tests.loyalty.coupon_helpers import amount_off
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db

PAGES = ["/manage/marketing/", "/manage/marketing/templates/new/", "/manage/marketing/coupons/",
         "/manage/marketing/triggers/", "/manage/marketing/segments/", "/manage/marketing/campaigns/"]  # fmt: skip
TEMPLATE = {"name": "¥20 off", "kind": "amount_off", "amount_off": "20.50", "valid_days": "30", "per_customer_limit": "1"}


def _count(shop, model) -> int:
    with schema_context(shop.schema_name):
        return model.objects.count()


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.CLERK])
def test_pages_for_each_role_and_the_clerk_writes_nothing(shop, role):
    client = client_for(shop, staff_user(shop, role))
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == (403 if role == Role.CLERK else 200), path
    menu = client.get("/manage/").content.decode()
    # A clerk's Marketing entry opens the mall's redemptions they hand over, not the coupons.
    assert ('href="/manage/marketing/"' in menu) is (role != Role.CLERK)
    assert ('href="/manage/marketing/mall/redemptions/"' in menu) is (role == Role.CLERK)
    response = client.post("/manage/marketing/templates/new/", TEMPLATE)
    assert response.status_code == (403 if role == Role.CLERK else 302)
    assert _count(shop, CouponTemplate) == (0 if role == Role.CLERK else 1)
    if role != Role.CLERK:
        with schema_context(shop.schema_name):
            assert CouponTemplate.objects.get().amount_off_minor == 2_050


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"amount_off": "20.505"}, "Use at most 2 decimals"),
        ({"kind": "percent_off", "percent_off": "101"}, "1 to 100"),
        ({"kind": "percent_off", "percent_off": "0"}, "1 to 100"),
        ({"valid_days": "", "valid_from": "2026-05-01", "valid_until": "2026-04-01"}, "cannot be before"),
    ],
)
def test_bad_templates_show_the_error_on_the_form_and_write_nothing(shop, change, field_error):
    client = client_for(shop, staff_user(shop, Role.OWNER))
    response = client.post("/manage/marketing/templates/new/", {**TEMPLATE, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert _count(shop, CouponTemplate) == 0


def test_issued_list_filters_and_exports_and_another_shop_sees_none(shop, other_shop):
    with schema_context(shop.schema_name):
        template = amount_off(1_000)
        a = Customer.objects.create(name="Zhang Wei", phone="13800000001", birth_date=date(1990, 1, 1))
        b = Customer.objects.create(name="Li Na", phone="13800000002", birth_date=date(1990, 1, 1))
        used = coupon_issue(template=template, customer=a, source_key="a")
        coupon_issue(template=template, customer=b, source_key="b")
        coupon_redeem_order(customer=a, coupon_code=used.code, order_uuid="o-1", amount_minor=1_000)
    client = client_for(shop, staff_user(shop, Role.MANAGER))
    page = client.get("/manage/marketing/coupons/?status=used").content.decode()
    assert used.code in page and "Li Na" not in page
    rows = list(csv.reader(io.StringIO(client.get("/manage/marketing/coupons/?status=used&export=csv")
                                       .getvalue().decode().lstrip("\ufeff"))))  # fmt: skip
    assert len(rows) == 2 and rows[1][0] == used.code and rows[1][-1] == "10.00"
    sheet = load_workbook(io.BytesIO(client.get("/manage/marketing/coupons/?export=xlsx").getvalue())).active
    assert sheet.max_row == 3
    stranger = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert used.code not in stranger.get("/manage/marketing/coupons/").content.decode()
    assert stranger.get(f"/manage/marketing/templates/{template.pk}/").status_code in (404, 200)
    with schema_context(other_shop.schema_name):
        assert not CouponTemplate.objects.filter(name=template.name).exists()


def test_triggers_segments_and_a_campaign_from_the_pages(shop, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        template = amount_off(1_000)
        Customer.objects.create(name="Zhang Wei", phone="13800000001", birth_date=date(1990, 1, 1))
    client = client_for(shop, staff_user(shop, Role.OWNER))
    assert client.post("/manage/marketing/triggers/", {"birthday": str(template.pk)}).status_code == 302
    with schema_context(shop.schema_name):
        assert dict(CouponTrigger.objects.values_list("kind", "template_id"))["birthday"] == template.pk
    assert client.post("/manage/marketing/segments/", {"name": "New", "activity": "new", "r_min": "0", "f_min": "0",
                                                       "m_min": "0"}).status_code == 302  # fmt: skip
    with schema_context(shop.schema_name):
        segment = Segment.objects.get()
    assert ">1<" in client.get("/manage/marketing/segments/").content.decode().replace(" ", "")
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/manage/marketing/campaigns/", {"name": "Welcome", "segment": segment.pk,
                                                                "kind": "coupon", "template": template.pk})  # fmt: skip
    assert response.status_code == 302
    with schema_context(shop.schema_name):  # where the request committed: the worker's queue
        for callback in queued:
            callback()
    with schema_context(shop.schema_name):
        campaign = Campaign.objects.get()
        assert (campaign.status, campaign.sent, Coupon.objects.filter(campaign=campaign).count()) == ("done", 1, 1)
    page = client.get(f"/manage/marketing/campaigns/{campaign.uuid}/").content.decode()
    assert "campaign-results" in page and "<progress" in page


def test_my_coupons_shows_the_customers_own_coupons_only(shop):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("buyer@alpha.test", "pw-123456789", name="Buyer")
        mine = Customer.objects.create(name="Buyer", phone="13800000009", birth_date=date(1990, 1, 1), user=user)
        other = Customer.objects.create(name="Other", phone="13800000008", birth_date=date(1990, 1, 1))
        template = amount_off(1_000, per_customer_limit=2)
        own = coupon_issue(template=template, customer=mine, source_key="m")
        theirs = coupon_issue(template=template, customer=other, source_key="o")
    client = client_for(shop, user)
    page = client.get("/my/coupons/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert own.code in page and theirs.code not in page and "My coupons" in page
    assert client_for(shop).get("/my/coupons/").status_code == 302  # to the login
    assert host_of(shop)
