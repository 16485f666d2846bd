"""The codes an operation lists (`x-error-codes`) are the ones it answers: every operation
taking an Idempotency-Key lists `idempotency_key_invalid`, every body with `metadata` lists
`metadata_not_allowed`, only operations with `expand[]` list `unknown_expand`, and the
server's own ledger check is listed nowhere. Each rule is also checked by sending the
refused request and finding its code listed on that operation."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.customers.models import Pet
from tests.api.test_billing_api import api, customer_register, error, ok, pet_add


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def schema(api_client):
    return api_client.get("/api/v1/schema.json").json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _listed(operation, status) -> set[str]:
    return set(operation["responses"].get(str(status), {}).get("x-error-codes", []))


def _body_properties(schema, operation) -> set[str]:
    properties = set()
    for content in operation.get("requestBody", {}).get("content", {}).values():
        ref = content["schema"].get("$ref", "")
        properties |= set(schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
    return properties


def test_the_lists_follow_what_each_operation_takes(schema):
    missing, extra = [], []
    for where, operation in _operations(schema):
        parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
        if "Idempotency-Key" in parameters and "idempotency_key_invalid" not in _listed(operation, 400):
            missing.append(f"{where}: idempotency_key_invalid")
        if "metadata" in _body_properties(schema, operation) and "metadata_not_allowed" not in _listed(operation, 403):
            missing.append(f"{where}: metadata_not_allowed")
        if "unknown_expand" in _listed(operation, 400) and "expand[]" not in parameters:
            extra.append(f"{where}: unknown_expand")
        if any("unbalanced_journal" in _listed(operation, status) for status in operation["responses"]):
            extra.append(f"{where}: unbalanced_journal")
    assert (missing, extra) == ([], [])
    post_contracts = schema["paths"]["/api/v1/contracts"]["post"]
    assert "unknown_expand" not in _listed(post_contracts, 400)
    assert "unknown_expand" in _listed(schema["paths"]["/api/v1/contracts"]["get"], 400)


@pytest.mark.parametrize("key", ["", "k" * 256, "key with spaces", "键"])
def test_a_bad_idempotency_key_is_refused_with_a_listed_code(shop, shop_staff, schema, key):
    staff = api(shop, shop_staff.api_token)
    with schema_context(shop.schema_name):
        before = Pet.objects.count()
    answer = error(staff.post("/api/v1/pets", {"name": "Mochi", "species": "cat"}, format="json",
                              HTTP_IDEMPOTENCY_KEY=key), 400)  # fmt: skip
    assert answer["code"] == "idempotency_key_invalid" and list(answer["fields"]) == ["Idempotency-Key"]
    assert answer["code"] in _listed(schema["paths"]["/api/v1/pets"]["post"], 400)
    with schema_context(shop.schema_name):
        assert Pet.objects.count() == before


def test_a_customer_sending_metadata_is_refused_with_a_listed_code(shop, schema):
    _customer, client = customer_register(shop)
    pet = pet_add(client)
    answer = error(client.patch(f"/api/v1/pets/{pet['uuid']}", {"metadata": {"crm": "x"}}, format="json"), 403)
    assert answer["code"] == "metadata_not_allowed"
    assert answer["code"] in _listed(schema["paths"]["/api/v1/pets/{uuid}"]["patch"], 403)
    assert ok(client.get(f"/api/v1/pets/{pet['uuid']}"))["name"] == pet["name"]
    with schema_context(shop.schema_name):
        assert Pet.objects.get(uuid=pet["uuid"]).metadata == {}


def test_an_unknown_expansion_is_refused_with_a_listed_code(shop, shop_staff, schema):
    answer = error(api(shop, shop_staff.api_token).get("/api/v1/contracts?expand[]=dragon"), 400)
    assert answer["code"] == "unknown_expand"
    assert answer["code"] in _listed(schema["paths"]["/api/v1/contracts"]["get"], 400)


def test_one_code_answers_every_declined_charge_and_names_its_decline_codes(schema):
    codes = schema["info"]["description"]
    assert "| 422 | `payment_failed` |" not in codes
    declined = codes.split("| 422 | `payment_declined` |")[1].split("\n")[0]
    assert all(f"`{code}`" in declined for code in ("insufficient_funds", "hard_decline", "invalid_token", "declined"))
    assert "| 409 | `payment_pending` |" in codes


_CODES_OF_EVERY_VIEW = """
import django, json
django.setup()
from django.urls import get_resolver
from pawpact.api.operation_errors import reachable_codes
def views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from views(pattern.url_patterns)
        elif getattr(pattern.callback, "view_class", None) is not None:
            yield pattern.callback.view_class
out = {}
for view in views(get_resolver("pawpact.api.urls").url_patterns):
    for method in ("get", "post", "patch", "put", "delete"):
        handler = getattr(view, method, None)
        if handler is not None:
            out[f"{view.__module__}.{view.__name__}.{method}"] = sorted(reachable_codes(handler, view))
print(json.dumps(out, sort_keys=True))
"""


def test_the_codes_found_do_not_depend_on_the_walks_order():
    """Two workers started with different hash seeds serve the same lists (the walk follows
    set iteration order; a function's callees are searched from its shallowest call)."""
    import os
    import subprocess
    import sys

    answers = []
    for seed in ("1", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "pawpact.config.settings.test"}
        run = subprocess.run([sys.executable, "-c", _CODES_OF_EVERY_VIEW], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        answers.append(run.stdout.strip().splitlines()[-1])
    assert len(answers[0]) > 1000
    assert answers[0] == answers[1]
