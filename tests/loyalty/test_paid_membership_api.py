"""Paid membership over the API and on the pages: plans (the owner creates them, a clerk
or a manager is refused, bad input writes nothing), a customer's status, join (once per
key) and cancel; the customer's H5 page; the staff page with its figures and exports; and
another shop's host or token sees none of it."""
import csv
import io

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import PAID_PLAN, PAYMENT_METHOD, opaque_id
from pawpact.loyalty.paid_membership import paid_membership_join
from pawpact.loyalty.paid_models import PaidMembership, PaidPlan, PaidStatus
from pawpact.sandbox.models import SandboxCharge
from pawpact.workspace.enums import Role
from tests.loyalty.paid_helpers import method, plan
from tests.loyalty.test_coupon_api import api, error, login
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db
PLAN = {"name": "Year club", "price_minor": 9_900, "months": 12, "goods_discount_percent": 10, "points_multiplier": "2",
        "free_services_per_month": 1, "member_day_extra_percent": 5, "trial_days": 7}  # fmt: skip


def _token(shop, role: Role) -> str:
    user = staff_user(shop, role)
    with schema_context(shop.schema_name):
        return api_token_issue(user=user)


def _paid(shop) -> list[int]:
    return list(SandboxCharge.objects.filter(shop_schema=shop.schema_name, outcome="succeeded").values_list("amount_minor", flat=True))


def test_only_the_owner_creates_plans_and_bad_input_writes_nothing(shop):
    owner, manager, clerk = (api(shop, _token(shop, role)) for role in (Role.OWNER, Role.MANAGER, Role.CLERK))
    for refused in (manager, clerk):
        assert error(refused.post("/api/v1/paid-membership/plans", PLAN, format="json"), 403)["code"] == "permission_denied"
    for bad, field in (({"price_minor": 0}, "price_minor"), ({"months": 2}, "months"),
                       ({"goods_discount_percent": 91}, "goods_discount_percent"), ({"points_multiplier": "0.5"}, "points_multiplier")):  # fmt: skip
        assert field in error(owner.post("/api/v1/paid-membership/plans", {**PLAN, **bad}, format="json"), 400)["fields"]
    with schema_context(shop.schema_name):
        assert PaidPlan.objects.count() == 0
    created = owner.post("/api/v1/paid-membership/plans", PLAN, format="json")
    assert created.status_code == 201 and created.json()["price_minor"] == 9_900 and created.json()["object"] == "membership_plan"
    changed = owner.patch(f"/api/v1/paid-membership/plans/{created.json()['id']}", {"price_minor": 9_800}, format="json")
    assert changed.json()["price_minor"] == 9_800 and changed.json()["trial_days"] == 7
    assert error(clerk.patch(f"/api/v1/paid-membership/plans/{created.json()['id']}", {"active": False}, format="json"), 403)
    assert [row["name"] for row in clerk.get("/api/v1/paid-membership/plans").json()["results"]] == ["Year club"]


def test_a_customer_joins_once_per_key_reads_the_status_and_cancels(shop, other_shop):
    with schema_context(shop.schema_name):
        monthly = plan(990)
        customer = customer_with_login(shop)
        card = method(customer)
        token = login(customer)
    client = api(shop, token)
    status = client.get("/api/v1/paid-membership").json()
    assert status == {"object": "membership_status", "membership": None, "trial_available": True}
    error(client.post("/api/v1/paid-membership", {"plan_id": opaque_id(PAID_PLAN, monthly.pk, schema_name=shop.schema_name), "payment_method_id": opaque_id(PAYMENT_METHOD, card.pk, schema_name=shop.schema_name)}, format="json"), 400)
    body = {"plan_id": opaque_id(PAID_PLAN, monthly.pk, schema_name=shop.schema_name), "payment_method_id": opaque_id(PAYMENT_METHOD, card.pk, schema_name=shop.schema_name)}
    first = client.post("/api/v1/paid-membership", body, format="json", HTTP_IDEMPOTENCY_KEY="join-1")
    again = client.post("/api/v1/paid-membership", body, format="json", HTTP_IDEMPOTENCY_KEY="join-1")
    assert first.status_code == 201 and again.json()["uuid"] == first.json()["uuid"]
    assert first.json()["status"] == "active" and _paid(shop) == [990]
    assert error(client.post("/api/v1/paid-membership", body, format="json", HTTP_IDEMPOTENCY_KEY="join-2"), 409)["code"] == "membership_exists"
    cancelled = client.post("/api/v1/paid-membership/cancel", format="json")
    assert cancelled.json()["cancel_at_period_end"] is True and cancelled.json()["status"] == "active"
    staff = api(shop, _token(shop, Role.OWNER))
    assert error(staff.get("/api/v1/paid-membership"), 422)["code"] == "customer_required"
    stranger = api(other_shop, token)  # this shop's token means nothing at another shop
    assert stranger.get("/api/v1/paid-membership").status_code == 401
    with schema_context(other_shop.schema_name):
        assert PaidMembership.objects.count() == 0
    assert _paid(shop) == [990]


def test_the_customer_page_joins_with_a_trial_once_and_cancels(shop, other_shop):
    with schema_context(shop.schema_name):
        trial = plan(990, trial_days=7)
        customer = customer_with_login(shop)
        card = method(customer)
    browser = browser_of(shop, customer)
    page = browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "7-day free trial" in page and "Start the free trial" in page
    form = {"plan": trial.pk, "payment_method": card.pk, "request_key": "page-1"}
    assert browser.post("/my/club/", form).status_code == 302
    assert browser.post("/my/club/", form).status_code == 302  # a double tap joins once
    with schema_context(shop.schema_name):
        membership = PaidMembership.objects.get()
        assert (membership.status, membership.is_trial) == (PaidStatus.TRIALING, True)
    page = browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "免费试用" in page and "取消续费" in page
    assert browser.post("/my/club/cancel/").status_code == 302
    with schema_context(shop.schema_name):
        assert PaidMembership.objects.get().cancel_at_period_end is True
    assert _paid(shop) == []
    assert client_for(other_shop).get("/my/club/").status_code == 302  # signed in at this shop only


def test_the_staff_page_shows_figures_exports_and_the_owner_edits_plans(shop, other_shop):
    with schema_context(shop.schema_name):
        yearly = plan(9_900, months=12)
        for n in range(2):
            customer = customer_with_login(shop)
            paid_membership_join(customer=customer, plan=yearly, payment_method=method(customer), request_key=f"s{n}")
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    page = owner.get("/manage/members/paid/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥198.00" in page and "chart-paid" in page and page.count("Club 9900") >= 3
    exported = owner.get("/manage/members/paid/?export=csv&status=live")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[1][3] == "Active" and rows[1][7] == "99.00"
    sheet = load_workbook(io.BytesIO(owner.get("/manage/members/paid/?export=xlsx").getvalue())).active
    assert sheet.max_row == 3
    member_page = owner.get(f"/manage/members/{customer.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Club 9900 · Active · Renews on" in member_page
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.get("/manage/members/paid/").status_code == 200
    assert clerk.get("/manage/members/paid/plans/new/").status_code == 403
    assert clerk.post("/manage/members/paid/plans/new/", {"name": "X"}).status_code == 403
    bad = owner.post("/manage/members/paid/plans/new/", {"name": "Month", "price": "9.999", "months": "1",
                     "goods_discount_percent": "5", "points_multiplier": "1.5", "free_services_per_month": "0",
                     "member_day_extra_percent": "0", "trial_days": "7", "active": "on"}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert bad.status_code == 400 and "Use at most 2 decimals" in bad.content.decode()
    good = owner.post("/manage/members/paid/plans/new/", {"name": "Month", "price": "9.90", "months": "1",
                      "goods_discount_percent": "5", "points_multiplier": "1.5", "free_services_per_month": "0",
                      "member_day_extra_percent": "0", "trial_days": "7", "active": "on"})  # fmt: skip
    assert good.status_code == 302
    with schema_context(shop.schema_name):
        assert PaidPlan.objects.get(name="Month").price_minor == 990
    with schema_context(other_shop.schema_name):
        assert PaidPlan.objects.count() == 0
    stranger = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert "Club 9900" not in stranger.get("/manage/members/paid/").content.decode()
