"""Every integer a shop's API takes in a body has a lower and an upper bound, in the
serializer and so in the schema: a quantity of a million or an id past the database's
bigint answers 400 with the field's name and writes nothing."""
import importlib
import pkgutil

from django_tenants.utils import schema_context
from rest_framework import serializers
from rest_framework.test import APIClient

import pawpact.api.v1
from pawpact.api.serializers import InputSerializer
from pawpact.billing.models import Contract
from pawpact.storefront.models import CartLine
from tests.api.test_billing_api import customer_register
from tests.conftest import host_of

# The platform console's API: its funding terms are checked by the platform's own service.
NOT_A_SHOP_API = "pawpact.api.v1.platform"


def _input_serializers() -> list[type]:
    for module in pkgutil.walk_packages(pawpact.api.v1.__path__, prefix="pawpact.api.v1."):
        if module.name.endswith(".serializers") and not module.name.startswith(NOT_A_SHOP_API):
            importlib.import_module(module.name)
    found, todo = [], list(serializers.Serializer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        name, module = cls.__name__, cls.__module__
        is_input = issubclass(cls, InputSerializer) or any(word in name for word in ("Input", "Query", "Request"))
        if module.startswith("pawpact.api") and not module.startswith(NOT_A_SHOP_API) and is_input:
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
    assert schema["ContractCreateRequest"]["properties"]["plan_version_id"]["maximum"] == 2**63 - 1


def test_a_cart_quantity_out_of_range_is_refused_and_nothing_is_added(shop):
    _customer, client = customer_register(shop)
    for quantity in (0, -1, 100, 1001, 10**12):
        answer = client.post("/api/v1/shop/cart/lines", {"product_id": 1, "quantity": quantity}, format="json")
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
