"""`expand[]`: ids by default, the related records on request (contracts: customer, pet, plan;
the debit calendar: attempts; orders: lines.product), an unknown path answers 400
`unknown_expand`, a list with expansions costs the same queries for 1 record as for many."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.test_billing_api import active, api, draft, ok

EXPAND_ALL = "expand[]=customer&expand[]=pet&expand[]=plan"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def staff(shop, shop_staff):
    return api(shop, shop_staff.api_token)


def test_a_contract_has_ids_by_default_and_the_records_on_request(staff):
    contract = draft(staff)
    url = f"/api/v1/contracts/{contract['uuid']}"
    plain = ok(staff.get(url))
    assert not {"customer", "pet", "plan"} & set(plain)
    expanded = ok(staff.get(f"{url}?{EXPAND_ALL}"))
    assert {key: expanded[key] for key in plain} == plain  # the ids and every other field stay
    assert (expanded["customer"]["object"], expanded["customer"]["uuid"]) == ("customer", contract["customer_uuid"])
    assert (expanded["pet"]["object"], expanded["pet"]["uuid"]) == ("pet", contract["pet_uuid"])
    assert (expanded["plan"]["object"], expanded["plan"]["code"]) == ("plan", "basic")
    only_pet = ok(staff.get(f"{url}?expand[]=pet"))
    assert "pet" in only_pet and "customer" not in only_pet


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        ok(client.get(url))
    return len([q for q in queries.captured_queries if not q["sql"].startswith("SET ")])


def test_a_contract_list_with_expansions_costs_the_same_queries_for_one_or_five(staff):
    draft(staff, suffix="301")
    one = _queries(staff, f"/api/v1/contracts?{EXPAND_ALL}")
    for n in range(2, 6):
        draft(staff, suffix=f"30{n}")
    five = _queries(staff, f"/api/v1/contracts?{EXPAND_ALL}")
    body = ok(staff.get(f"/api/v1/contracts?{EXPAND_ALL}"))
    assert len(body["results"]) == 5
    assert all(row["customer"]["uuid"] == row["customer_uuid"] for row in body["results"])
    assert all(row["pet"]["uuid"] == row["pet_uuid"] for row in body["results"])
    assert five == one


def test_an_unknown_expand_path_is_a_400_with_the_catalogue_code(staff):
    contract = draft(staff)
    for url in (f"/api/v1/contracts/{contract['uuid']}?expand[]=ledger", "/api/v1/contracts?expand[]=customer.user",
                f"/api/v1/contracts/{contract['uuid']}/calendar?expand[]=customer"):  # fmt: skip
        response = staff.get(url)
        assert (response.status_code, response.json()["code"]) == (400, "unknown_expand")
        assert list(response.json()["fields"]) == ["expand[]"]
    assert staff.get("/api/v1/customers?expand[]=pets").json()["code"] == "unknown_parameter"


def test_the_calendar_expands_each_periods_attempts(staff):
    contract = active(staff, draft(staff)["uuid"])
    url = f"/api/v1/contracts/{contract['uuid']}/calendar"
    assert "attempts" not in ok(staff.get(url))["results"][0]
    periods = ok(staff.get(f"{url}?expand[]=attempts"))["results"]
    first, second = periods[0], periods[1]
    assert [(a["number"], a["status"], a["amount_minor"]) for a in first["attempts"]] == [
        (1, "succeeded", contract["monthly_amount_minor"])
    ]
    assert second["attempts"] == []


def test_the_schema_documents_expand_as_an_enum(shop):
    from rest_framework.test import APIClient

    from tests.conftest import host_of

    schema = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/schema.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/contracts"]["get"]["parameters"]}
    assert parameters["expand[]"]["schema"]["items"]["enum"] == ["customer", "pet", "plan"]
    orders = {p["name"]: p for p in schema["paths"]["/api/v1/shop/orders/{uuid}"]["get"]["parameters"]}
    assert orders["expand[]"]["schema"]["items"]["enum"] == ["lines.product"]
    contract = schema["components"]["schemas"]["Contract"]
    assert "customer" in contract["properties"] and "customer" not in contract["required"]
