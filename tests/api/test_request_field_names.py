"""What a client sends comes back under the same names: a refusal names the request's field
(`pet_uuid`, not the service's `pet`), a contract reads back the `plan_version_id` it was
created with, the payment-method replacement answers the saved method's id; a search box sent
empty is allowed by the schema as by the server."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id
from pawpact.billing.models import Contract
from tests.api.test_billing_api import active, api, apply, current_versions, draft, error, ok


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def staff(shop, shop_staff):
    return api(shop, shop_staff.api_token)


def test_a_contract_reads_back_the_plan_version_id_it_was_made_with(shop, staff):
    version_id = current_versions(staff)["basic"]["id"]
    contract = draft(staff)
    assert contract["plan_version_id"] == version_id
    assert ok(staff.get(f"/api/v1/contracts/{contract['uuid']}"))["plan_version_id"] == version_id
    listed = ok(staff.get(f"/api/v1/contracts?pet_uuid={contract['pet_uuid']}"))["results"]
    assert [row["plan_version_id"] for row in listed] == [version_id]


def test_a_pet_under_contract_is_named_as_the_request_named_it(shop, staff):
    contract = draft(staff)
    with schema_context(shop.schema_name):
        before = Contract.objects.count()
    again = apply(staff, pet_uuid=contract["pet_uuid"], plan_version_id=contract["plan_version_id"],
                  customer_uuid=contract["customer_uuid"])  # fmt: skip
    assert error(again, 409)["fields"] == {"pet_uuid": ["Already under contract."]}
    with schema_context(shop.schema_name):
        assert Contract.objects.count() == before


def test_replacing_the_payment_method_answers_its_id(shop, staff):
    contract = draft(staff)
    active(staff, contract["uuid"])
    answer = ok(staff.post(f"/api/v1/contracts/{contract['uuid']}/payment-method/replace",
                           {"rail": "sandbox", "token": "tok_success"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="replace-1"))  # fmt: skip
    with schema_context(shop.schema_name):
        method_pk = Contract.objects.get(uuid=contract["uuid"]).payment_method_id
    assert answer["payment_method_id"] == opaque_id(PAYMENT_METHOD, method_pk, schema_name=shop.schema_name)
    assert ok(staff.get(f"/api/v1/payment-methods/{answer['payment_method_id']}"))["id"] == answer["payment_method_id"]


def test_an_empty_search_is_allowed_by_the_schema_and_the_server(staff, api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    for path in ("/api/v1/customers", "/api/v1/contracts", "/api/v1/members"):
        [search] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "search"]
        assert "minLength" not in search["schema"] and search["allowEmptyValue"] is True, path
        assert ok(staff.get(f"{path}?search="))["object"] == "list"
