"""What a client sends comes back under the same names: a refusal names the request's field
(`pet_uuid`, not the service's `pet`), a contract reads back the `plan_version_id` it was
created with, the payment-method replacement answers the saved method's id; a declined or refused payment
names the request's own field, or no field when the request names no payment method; a search
box sent empty is allowed by the schema as by the server."""
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id
from pawpact.billing.models import Contract, DebitPeriod, Journal, Termination
from pawpact.billing.services.dunning import contract_payment_method_replace
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.loyalty.models import TopUp
from tests.api.test_billing_api import (
    activate,
    active,
    api,
    apply,
    attach,
    contract_url,
    current_versions,
    draft,
    error,
    ok,
    signed,
)
from tests.billing.lifecycle.termination.helpers import NOW, adopt, beijing, collect_through, customer_with_token


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


def _named_as_sent(client, method: str, path: str, refused: dict) -> None:
    """Every field a refusal names is one the operation's request has (per the schema), or the
    request as a whole."""
    operation = client.get("/api/v1/schema.json").json()["paths"][path][method]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    component = client.get("/api/v1/schema.json").json()["components"]["schemas"].get(
        body.get("$ref", "").rsplit("/", 1)[-1], {})  # fmt: skip
    assert set(refused["fields"]) <= {*component.get("properties", {}), "non_field_errors"}, (path, refused)


def _periods(shop, uuid) -> list[str]:
    with schema_context(shop.schema_name):
        return list(DebitPeriod.objects.filter(contract__uuid=uuid).order_by("number").values_list("status", flat=True))


def test_a_declined_first_debit_names_no_field_as_activation_sends_none(shop, staff):
    uuid = draft(staff)["uuid"]
    signed(staff, uuid)
    without = error(activate(staff, uuid, key="no-method"), 422)
    assert (without["code"], without["fields"]) == (
        "invalid_payment_method", {"non_field_errors": ["Attach a payment method before starting the contract."]})  # fmt: skip
    ok(attach(staff, uuid, token="tok_insufficient_funds"))
    declined = error(activate(staff, uuid, key="declined"), 422)
    assert (declined["code"], declined["fields"]) == ("payment_declined", {"non_field_errors": ["insufficient funds"]})
    _named_as_sent(staff, "post", "/api/v1/contracts/{uuid}/activate", declined)
    assert ok(staff.get(contract_url(uuid)))["status"] == "signed"
    periods = _periods(shop, uuid)  # the declined attempt is kept; the contract does not start
    assert (periods[0], len(periods), set(periods[1:])) == ("failed", 12, {"scheduled"})


def test_a_declined_penalty_names_no_field_as_the_execution_sends_none(shop):
    with time_machine.travel(NOW, tick=False) as traveller, schema_context(shop.schema_name):
        customer, token = customer_with_token()
        contract = adopt(customer=customer)
        collect_through(contract, 3, traveller)
        traveller.move_to(beijing(date(2026, 5, 20)))
        declining = payment_method_attach(customer=customer, rail="sandbox", token="tok_insufficient_funds")
        contract_payment_method_replace(contract=contract, payment_method=declining)
        client = api(shop, token)
        quote = ok(client.post(f"/api/v1/contracts/{contract.uuid}/termination-quote"), 201)
        refused = error(client.post(f"/api/v1/termination-quotes/{quote['id']}/execute", HTTP_IDEMPOTENCY_KEY="exit"), 422)
        assert (refused["code"], refused["fields"]) == ("payment_declined", {"non_field_errors": ["insufficient funds"]})
    _named_as_sent(client, "post", "/api/v1/termination-quotes/{quote_id}/execute", refused)
    with schema_context(shop.schema_name):  # the requests left the shop's schema
        assert not Termination.objects.filter(contract=contract).exists()
        assert Contract.objects.get(pk=contract.pk).status == "active"


def test_a_refused_payment_method_is_named_as_the_request_sent_it(shop, staff):
    uuid = draft(staff)["uuid"]
    signed(staff, uuid)
    refused = error(attach(staff, uuid, token="tok_nope"), 422)
    assert (refused["code"], list(refused["fields"])) == ("invalid_payment_method", ["token"])
    _named_as_sent(staff, "post", "/api/v1/contracts/{uuid}/payment-method", refused)
    assert ok(staff.get(contract_url(uuid)))["payment_method"] is None


def test_a_declined_top_up_names_the_payment_method_id_it_was_sent(shop):
    with schema_context(shop.schema_name):
        customer, token = customer_with_token()
        declining = payment_method_attach(customer=customer, rail="sandbox", token="tok_insufficient_funds")
    client = api(shop, token)
    body = {"amount_minor": 10_000, "payment_method_id": opaque_id(PAYMENT_METHOD, declining.pk, schema_name=shop.schema_name)}
    refused = error(client.post("/api/v1/stored-value/top-ups", body, format="json", HTTP_IDEMPOTENCY_KEY="top-up"), 422)
    assert (refused["code"], list(refused["fields"])) == ("payment_declined", ["payment_method_id"])
    _named_as_sent(client, "post", "/api/v1/stored-value/top-ups", refused)
    with schema_context(shop.schema_name):
        assert TopUp.objects.filter(status="paid").count() == 0
        assert not Journal.objects.filter(kind="stored_value.topup").exists()
