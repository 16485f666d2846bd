"""What every API request pays before its view: the shop of the host and the device of the
token, each one statement read fresh (no per-process cache), so a revocation or a shop's
closing counts on the very next request, and nothing of one shop answers on another's host."""
import json

import jsonschema
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice
from pawpact.accounts.selectors import api_device_by_access_token
from pawpact.customers.models import Customer
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop
from tests.conftest import host_of


@pytest.fixture
def staff(shop, shop_staff):
    return APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)


def _statements(send) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        answer = send()
    return [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith("SET SEARCH_PATH")], answer


def test_a_single_read_is_the_host_the_token_and_the_row(shop, staff):
    with schema_context(shop.schema_name):
        customer = Customer.objects.create(name="Li Na", phone="13800138000", birth_date="1990-01-01")
    staff.get("/api/v1/me")
    sql, answer = _statements(lambda: staff.get(f"/api/v1/customers/{customer.uuid}"))
    assert answer.status_code == 200 and answer.json()["name"] == "Li Na"
    assert len(sql) == 3, sql
    assert "tenants_domain" in sql[0] and "accounts_apidevice" in sql[1] and "customers_customer" in sql[2]


def test_the_device_comes_with_its_user_in_one_statement(shop, shop_staff):
    with schema_context(shop.schema_name), CaptureQueriesContext(connection) as captured:
        device = api_device_by_access_token(token=shop_staff.api_token)
        assert device.user.email == "staff@alpha.test" and device.user.is_staff
        assert device.access_expires_at is not None and device.revoked_at is None
        assert api_device_by_access_token(token="x" * 40) is None
    assert len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]) == 2


def test_a_revoked_token_is_refused_on_the_next_request(shop, shop_staff, staff):
    assert staff.get("/api/v1/me").status_code == 200
    with schema_context(shop.schema_name):
        ApiDevice.objects.update(revoked_at="2026-01-01T00:00:00Z")
    answer = staff.get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["code"] == "authentication_failed"


def test_a_deactivated_user_is_refused_on_the_next_request(shop, shop_staff, staff):
    assert staff.get("/api/v1/me").status_code == 200
    with schema_context(shop.schema_name):
        ApiDevice.objects.get().user.__class__.objects.filter(email="staff@alpha.test").update(is_active=False)
    assert staff.get("/api/v1/me").status_code == 401


def test_a_token_of_one_shop_is_unknown_on_another(shop, other_shop, shop_staff):
    other = APIClient(HTTP_HOST=host_of(other_shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    answer = other.get("/api/v1/customers")
    assert answer.status_code == 401
    assert other.get("/api/v1/me").status_code == 401


def test_a_closed_shop_answers_so_on_the_next_request(shop, staff):
    assert staff.get("/api/v1/me").status_code == 200
    Shop.objects.filter(pk=shop.pk).update(state=ShopState.DEACTIVATED)
    answer = staff.get("/api/v1/me")
    assert answer.status_code == 403 and answer.json()["code"] == "shop_closed"
    Shop.objects.filter(pk=shop.pk).update(state=ShopState.ACTIVE)
    assert staff.get("/api/v1/me").status_code == 200


def test_an_unknown_host_is_no_shop(db):
    answer = Client(HTTP_HOST="nobody.localhost").get("/api/v1/plans")
    assert answer.status_code == 404


def test_plan_answers_match_the_typed_current_version(shop):
    """The seeded premium plan has 2,000 g of food: its answer must fit the schema's PlanVersion."""
    client = Client(HTTP_HOST=host_of(shop))
    schema = json.loads(client.get("/api/v1/schema.json").content)
    components = schema["components"]["schemas"]
    assert components["Plan"]["properties"]["current_version"]["allOf"] == [{"$ref": "#/components/schemas/PlanVersion"}]
    validator = jsonschema.Draft202012Validator({"$ref": "#/components/schemas/Plan", "components": schema["components"]})
    plans = client.get("/api/v1/plans").json()["results"]
    assert {plan["code"] for plan in plans} >= {"premium"}
    premium_id = next(plan["id"] for plan in plans if plan["code"] == "premium")
    for plan in plans + [client.get(f"/api/v1/plans/{premium_id}").json()]:
        assert not [error.message for error in validator.iter_errors(plan)], plan["code"]
    premium = next(plan for plan in plans if plan["code"] == "premium")
    assert premium["current_version"]["entitlements"][0]["quantity"] == 2000
