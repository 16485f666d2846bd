"""Conventions every operation keeps, checked on the served schemas (shop and platform) and on
live answers: each resource names its type in `object` (a one-value enum), and every list is
a cursor list, never a bare array."""
import json

import pytest
from django.conf import settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import host_of


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _answered_objects(schema: dict):
    """(operation, component, answered schema) of every JSON 2xx answer; a list's items too."""
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                body = response.get("content", {}).get("application/json", {}).get("schema")
                if not status.startswith("2") or body is None:
                    continue
                where = f"{method.upper()} {path}"
                answered = _resolve(body, components)
                yield where, body.get("$ref", "inline").rsplit("/", 1)[1], answered
                results = answered.get("properties", {}).get("results")
                if results is not None:
                    items = results["items"]
                    yield where, items.get("$ref", "inline").rsplit("/", 1)[1], _resolve(items, components)


@pytest.fixture
def schemas(api_client, db):
    platform = SchemaGenerator(urlconf=settings.PUBLIC_SCHEMA_URLCONF).get_schema(request=None, public=True)
    return {"shop": api_client.get("/api/v1/schema.json").json(), "platform": json.loads(json.dumps(platform, default=str))}


def test_every_answered_resource_names_its_type(schemas):
    missing, seen = [], set()
    for schema in schemas.values():
        for where, name, answered in _answered_objects(schema):
            kind = _resolve(answered.get("properties", {}).get("object", {}), schema["components"]["schemas"])
            if len(kind.get("enum", [])) != 1 or "object" not in answered.get("required", []):
                missing.append(f"{where}: {name}")
            else:
                seen.add(kind["enum"][0])
    assert missing == []
    # The resources a frontend developer met without one before.
    assert {"period", "termination_quote", "termination", "agreement", "me", "payment_method", "device",
            "webhook_endpoint", "webhook_delivery", "test_clock", "segment", "coupon", "order", "booking",
            "list", "advance", "payout"} <= seen  # fmt: skip


def test_no_operation_answers_a_bare_array(schemas):
    arrays = [
        f"{where}: {name}"
        for schema in schemas.values()
        for where, name, answered in _answered_objects(schema)
        if answered.get("type") == "array"
    ]
    assert arrays == []


def test_the_former_arrays_answer_one_page_lists(shop, shop_staff):
    staff = Client(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    for path in ("/api/v1/auth/devices", "/api/v1/webhook-event-types", "/api/v1/sandbox/sms?phone=13800138417"):
        body = staff.get(path).json()
        assert (body["object"], body["has_more"], body["next"], body["previous"]) == ("list", False, None, None), path
        assert all(isinstance(row, dict) and row.get("object") for row in body["results"]), path
    [device] = staff.get("/api/v1/auth/devices").json()["results"]
    assert (device["object"], device["current"]) == ("device", True)
    me = staff.get("/api/v1/me").json()
    assert me["object"] == "me"


def test_an_empty_cursor_is_refused(api_client, shop_staff):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    for path in ("/api/v1/contracts", "/api/v1/customers"):
        refused = api_client.get(path, {"cursor": ""})
        assert (refused.status_code, refused.json()["code"], list(refused.json()["fields"])) == (400, "invalid", ["cursor"])
    assert api_client.get("/api/v1/contracts").status_code == 200


def test_a_test_clock_outside_2000_to_2099_is_refused_and_nothing_is_made(api_client, shop, shop_staff):
    from django_tenants.utils import schema_context

    from pawpact.billing.models import TestClock

    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    for instant in ("0014-01-01T00:00:00Z", "1999-12-31T23:59:59+08:00", "2100-01-01T00:00:00Z", "9999-12-31T00:00:00Z"):
        refused = api_client.post("/api/v1/test-clocks", {"frozen_time": instant}, format="json")
        assert (refused.status_code, refused.json().get("code")) == (400, "invalid"), (instant, refused.content)
        assert refused.json()["fields"] == {"frozen_time": ["Give a time between the years 2000 and 2099."]}
    with schema_context(shop.schema_name):
        assert TestClock.objects.count() == 0
    made = api_client.post("/api/v1/test-clocks", {"frozen_time": "2026-03-01T04:00:00Z"}, format="json")
    assert made.status_code == 201, made.content
    advanced = api_client.post(f"/api/v1/test-clocks/{made.json()['id']}/advance", {"frozen_time": "0014-06-01T00:00:00Z"},
                               format="json")  # fmt: skip
    assert (advanced.status_code, advanced.json().get("code")) == (400, "invalid"), advanced.content
    assert api_client.get(f"/api/v1/test-clocks/{made.json()['id']}").json()["frozen_time"] == made.json()["frozen_time"]


def test_the_schema_states_the_body_rules(api_client):
    components = api_client.get("/api/v1/schema.json").json()["components"]["schemas"]
    assert components["TestClockInputRequest"]["properties"]["frozen_time"]["pattern"] == "^20[0-9]{2}-"
    note = components["PetLossInputRequest"]["properties"]["evidence_note"]
    assert [variant["maxLength"] for variant in note["oneOf"]] == [2000, 0]  # text, or blank
    assert ".heic" in components["PetLossInputRequest"]["properties"]["evidence"]["description"]
    register = components["CustomerRegisterRequest"]["properties"]
    assert (register["password"]["minLength"], register["password"]["maxLength"]) == (8, 128)
    assert register["phone"]["pattern"].startswith("^(?:(?:\\+?86)?1[3-9]")
