"""Every integer the shop's and the platform's APIs take has a lower and an upper bound, in
the serializer and so in the schema: a quantity of a million or an id past the database's
bigint answers 400 with the field's name and writes nothing."""
import importlib
import json
import pkgutil

from django.conf import settings
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

import pawpact.api.v1
from pawpact.api.opaque_ids import PRODUCT, opaque_id
from pawpact.api.serializers import InputSerializer
from pawpact.billing.models import Contract
from pawpact.storefront.models import CartLine
from tests.api.test_billing_api import customer_register
from tests.conftest import host_of


def _input_serializers() -> list[type]:
    for module in pkgutil.walk_packages(pawpact.api.v1.__path__, prefix="pawpact.api.v1."):
        if module.name.endswith(".serializers"):
            importlib.import_module(module.name)
    found, todo = [], list(serializers.Serializer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        name, module = cls.__name__, cls.__module__
        is_input = issubclass(cls, InputSerializer) or any(word in name for word in ("Input", "Query", "Request"))
        if module.startswith("pawpact.api") and is_input:
            found.append(cls)
    return found


def test_every_integer_input_is_bounded_both_ways():
    unbounded = []
    for cls in _input_serializers():
        for name, field in cls().fields.items():
            field = field.child if isinstance(field, serializers.ListField) else field
            if isinstance(field, serializers.IntegerField) and not field.read_only:
                if field.min_value is None or field.max_value is None:
                    unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unbounded == []


def test_the_schema_states_the_bounds(shop):
    schema = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/schema.json").json()["components"]["schemas"]
    assert (schema["CartLineAddRequest"]["properties"]["quantity"]["minimum"],
            schema["CartLineAddRequest"]["properties"]["quantity"]["maximum"]) == (1, 99)  # fmt: skip
    assert schema["RatingInputRequest"]["properties"]["stars"]["maximum"] == 5
    assert schema["ContractCreateRequest"]["properties"]["plan_version_id"]["pattern"] == "^planver_[0-9A-Za-z]{10,}$"


def _unbounded(schema: dict, components: dict, where: str, seen: frozenset = frozenset()):
    """The places in `schema` where a number is taken without both bounds."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from _unbounded(components[name], components, f"{where} ({name})", seen | {name})
        return
    if schema.get("readOnly"):
        return
    if schema.get("type") in ("integer", "number") and ("minimum" not in schema or "maximum" not in schema):
        yield where
    if schema.get("format") == "decimal" and "pattern" not in schema:
        yield where  # a decimal as a string: its pattern bounds its digits
    for name, part in schema.get("properties", {}).items():
        yield from _unbounded(part, components, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _unbounded(schema[key], components, f"{where}[]", seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            yield from _unbounded(part, components, where, seen)


def _number_inputs_unbounded(schema: dict) -> list[str]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += _unbounded(parameter.get("schema", {}), components, f"{where} {parameter['name']}")
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                found += _unbounded(content.get("schema", {}), components, f"{where} {media}")
    return found


def test_every_number_input_of_both_schemas_is_bounded(shop):
    shop_schema = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/schema.json").json()
    platform = SchemaGenerator(urlconf=settings.PUBLIC_SCHEMA_URLCONF).get_schema(request=None, public=True)
    platform_schema = json.loads(json.dumps(platform, default=str))
    assert "/api/v1/platform/shops/{shop_id}/funding-terms" in platform_schema["paths"]
    assert _number_inputs_unbounded(shop_schema) == []
    assert _number_inputs_unbounded(platform_schema) == []
    terms = platform_schema["components"]["schemas"]["FundingTermsInputRequest"]["properties"]
    assert (terms["fee_minor"]["minimum"], terms["fee_minor"]["maximum"]) == (0, 99_999)
    assert (terms["settlement_delay_days"]["minimum"], terms["settlement_delay_days"]["maximum"]) == (0, 90)


def test_the_walk_sees_an_unbounded_number():
    schema = {"paths": {"/x": {"post": {
        "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}},
    }}}, "components": {"schemas": {"X": {"properties": {"rate": {"type": "number", "minimum": 0, "maximum": 1},
                                                        "lines": {"items": {"type": "integer"}}}}}}}  # fmt: skip
    assert _number_inputs_unbounded(schema) == ["POST /x n", "POST /x application/json (X).lines[]"]


def test_a_cart_quantity_out_of_range_is_refused_and_nothing_is_added(shop):
    _customer, client = customer_register(shop)
    for quantity in (0, -1, 100, 1001, 10**12):
        answer = client.post("/api/v1/shop/cart/lines", {"product_id": opaque_id(PRODUCT, 1, schema_name=shop.schema_name), "quantity": quantity}, format="json")
        assert (answer.status_code, answer.json()["code"], list(answer.json()["fields"])) == (400, "invalid", ["quantity"])
    with schema_context(shop.schema_name):
        assert CartLine.objects.count() == 0


def test_an_id_past_bigint_is_a_400_not_a_database_error(shop, shop_staff):
    client = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    with schema_context(shop.schema_name):
        before = Contract.objects.count()
    body = {"customer_uuid": "00000000-0000-0000-0000-000000000001", "pet_uuid": "00000000-0000-0000-0000-000000000002",
            "plan_version_id": 2**64}  # fmt: skip
    answer = client.post("/api/v1/contracts", body, format="json")
    assert (answer.status_code, list(answer.json()["fields"])) == (400, ["plan_version_id"])
    with schema_context(shop.schema_name):
        assert Contract.objects.count() == before
