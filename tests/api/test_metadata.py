"""`metadata` on customers, pets, contracts and payment methods: set on create and PATCH
(merged; "" removes a key), returned on read, `metadata[key]=value` filters on customers and
contracts; bad metadata answers 400 naming the field and writes nothing; never across shops."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import PAYMENT_METHOD, pk_of
from pawpact.billing.models import Contract, PaymentMethod
from pawpact.customers.models import Customer, Pet
from tests.api.test_billing_api import (
    active,
    adopter_client,
    api,
    apply,
    current_versions,
    customer_add,
    customer_register,
    draft,
    ok,
    pet_add,
)  # fmt: skip
from tests.conftest import SHOP_PASSWORD

BODY = {"name": "Zhou Min", "phone": "13800138321", "birth_date": "1990-03-04"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def staff(shop, shop_staff):
    return api(shop, shop_staff.api_token)


def _row(shop, model, **lookup):
    with schema_context(shop.schema_name):
        return model.objects.get(**lookup)


def test_customer_metadata_is_set_merged_removed_and_read_back(shop, staff):
    created = ok(staff.post("/api/v1/customers", {**BODY, "metadata": {"crm_id": "C-1", "tier": "gold"}},
                            format="json"), 201)  # fmt: skip
    assert created["metadata"] == {"crm_id": "C-1", "tier": "gold"}
    url = f"/api/v1/customers/{created['uuid']}"
    patched = ok(staff.patch(url, {"metadata": {"tier": "", "source": "wechat"}}, format="json"))
    assert patched["metadata"] == {"crm_id": "C-1", "source": "wechat"}
    assert patched["name"] == "Zhou Min"  # the rest stays
    assert ok(staff.get(url))["metadata"] == {"crm_id": "C-1", "source": "wechat"}
    assert _row(shop, Customer, uuid=created["uuid"]).metadata == {"crm_id": "C-1", "source": "wechat"}


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ("not an object", "metadata"),
        ({"k": 5}, "metadata.k"),
        ({"k": "x" * 501}, "metadata.k"),
        ({"k" * 41: "v"}, "metadata"),
        ({"": "v"}, "metadata"),
        ({"k": "a\x00b"}, "metadata.k"),  # jsonb holds no NUL: a 400, never a database error
        ({"a\x00": "v"}, "metadata"),
        ({f"k{n}": "v" for n in range(51)}, "metadata"),
    ],
)
def test_bad_metadata_is_refused_with_the_field_and_nothing_is_written(shop, staff, metadata, field):
    with schema_context(shop.schema_name):
        before = Customer.objects.count()
    response = staff.post("/api/v1/customers", {**BODY, "metadata": metadata}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("invalid", [field])
    with schema_context(shop.schema_name):
        assert Customer.objects.count() == before


def test_a_patch_that_would_pass_50_keys_is_refused_and_changes_nothing(shop, staff):
    full = {f"k{n}": "v" for n in range(50)}
    created = ok(staff.post("/api/v1/customers", {**BODY, "metadata": full}, format="json"), 201)
    url = f"/api/v1/customers/{created['uuid']}"
    response = staff.patch(url, {"metadata": {"one_more": "v"}, "name": "Changed"}, format="json")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["metadata"])
    saved = _row(shop, Customer, uuid=created["uuid"])
    assert (saved.metadata, saved.name) == (full, "Zhou Min")
    # Replacing a key keeps the count: accepted.
    assert ok(staff.patch(url, {"metadata": {"k0": "w"}}, format="json"))["metadata"]["k0"] == "w"


def test_customers_and_contracts_are_found_by_metadata(shop, staff):
    first = customer_add(staff, suffix="101")
    second = customer_add(staff, suffix="102")
    staff.patch(f"/api/v1/customers/{first['uuid']}", {"metadata": {"crm_id": "C-7", "src": "a"}}, format="json")
    staff.patch(f"/api/v1/customers/{second['uuid']}", {"metadata": {"crm_id": "C-8", "src": "a"}}, format="json")
    found = ok(staff.get("/api/v1/customers?metadata[crm_id]=C-7"))["results"]
    assert [row["uuid"] for row in found] == [first["uuid"]]
    both = ok(staff.get("/api/v1/customers?metadata[src]=a"))["results"]
    assert sorted(row["uuid"] for row in both) == sorted([first["uuid"], second["uuid"]])
    assert ok(staff.get("/api/v1/customers?metadata[src]=a&metadata[crm_id]=C-8"))["results"][0]["uuid"] == second["uuid"]
    assert ok(staff.get("/api/v1/customers?metadata[crm_id]=C-9"))["results"] == []

    pet = pet_add(staff, first["uuid"])
    version = current_versions(staff)["basic"]["id"]
    body = {"pet_uuid": pet["uuid"], "plan_version_id": version, "customer_uuid": first["uuid"],
            "metadata": {"order_ref": "MP-42"}}  # fmt: skip
    contract = ok(staff.post("/api/v1/contracts", body, format="json"), 201)
    assert contract["metadata"] == {"order_ref": "MP-42"}
    apply(staff, pet_uuid=pet_add(staff, first["uuid"])["uuid"], plan_version_id=version, customer_uuid=first["uuid"])
    found = ok(staff.get("/api/v1/contracts?metadata[order_ref]=MP-42"))["results"]
    assert [row["uuid"] for row in found] == [contract["uuid"]]


def test_a_metadata_filter_no_record_can_match_finds_nothing(staff):
    customer_add(staff, suffix="401")
    for query in ("metadata[" + "k" * 41 + "]=v", "metadata[a]b]=v", "metadata[k]=a%00b"):
        assert ok(staff.get(f"/api/v1/customers?{query}"))["results"] == []
        assert ok(staff.get(f"/api/v1/contracts?{query}"))["results"] == []
    assert staff.get("/api/v1/pets?metadata[k]=v").json()["code"] == "unknown_parameter"


def test_metadata_messages_follow_the_language(staff):
    response = staff.post("/api/v1/customers", {**BODY, "metadata": {"k": 1}}, format="json",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.json()["fields"] == {"metadata.k": ["值为不超过 500 个字符的字符串。"]}


def test_pet_metadata_on_create_and_patch(shop, staff):
    owner = customer_add(staff, suffix="201")
    body = {"name": "Mimi", "species": "cat", "owner_uuid": owner["uuid"], "metadata": {"chip": "900-1"}}
    pet = ok(staff.post("/api/v1/pets", body, format="json"), 201)
    assert pet["metadata"] == {"chip": "900-1"}
    patched = ok(staff.patch(f"/api/v1/pets/{pet['uuid']}", {"metadata": {"chip": ""}}, format="json"))
    assert patched["metadata"] == {} and _row(shop, Pet, uuid=pet["uuid"]).metadata == {}


def test_contract_and_payment_method_metadata_by_patch_only(shop, staff):
    contract = active(staff, draft(staff)["uuid"])
    url = f"/api/v1/contracts/{contract['uuid']}"
    patched = ok(staff.patch(url, {"metadata": {"crm_deal": "D-9"}}, format="json"))
    assert patched["metadata"] == {"crm_deal": "D-9"} and patched["status"] == "active"
    refused = staff.patch(url, {"metadata": {"crm_deal": "D-9"}, "monthly_amount_minor": 1}, format="json")
    assert (refused.status_code, list(refused.json()["fields"])) == (400, ["monthly_amount_minor"])
    saved = _row(shop, Contract, uuid=contract["uuid"])
    assert (saved.metadata, saved.monthly_amount_minor) == ({"crm_deal": "D-9"}, contract["monthly_amount_minor"])

    method_id = contract["payment_method_id"]
    method = ok(staff.patch(f"/api/v1/payment-methods/{method_id}", {"metadata": {"label2": "work card"}}, format="json"))
    assert method["metadata"] == {"label2": "work card"}
    assert _row(shop, PaymentMethod, pk=pk_of(PAYMENT_METHOD, method_id, schema_name=shop.schema_name)).metadata == {"label2": "work card"}
    assert staff.patch(f"/api/v1/payment-methods/{method_id}", {}, format="json").status_code == 400


def test_another_shop_cannot_read_or_change_metadata(shop, other_shop, staff):
    created = ok(staff.post("/api/v1/customers", {**BODY, "metadata": {"crm_id": "C-1"}}, format="json"), 201)
    contract = draft(staff, suffix="555")
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        intruder = api(other_shop, api_token_issue(user=user))
    for url in (f"/api/v1/customers/{created['uuid']}", f"/api/v1/contracts/{contract['uuid']}"):
        response = intruder.patch(url, {"metadata": {"crm_id": "stolen"}}, format="json")
        assert response.status_code == 404
    assert intruder.get("/api/v1/customers?metadata[crm_id]=C-1").json()["results"] == []
    assert _row(shop, Customer, uuid=created["uuid"]).metadata == {"crm_id": "C-1"}
    assert _row(shop, Contract, uuid=contract["uuid"]).metadata == {}


def _refused(response):
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "metadata_not_allowed" and list(response.json()["fields"]) == ["metadata"]


def test_a_customer_token_neither_writes_nor_reads_customer_and_pet_metadata(shop, staff):
    me, client = customer_register(shop, suffix="777")
    url = f"/api/v1/customers/{me['uuid']}"
    ok(staff.patch(url, {"metadata": {"openid": "o-1"}}, format="json"))
    assert ok(client.get(url))["metadata"] == {}  # the integrator's, as Stripe keeps it from publishable keys
    _refused(client.patch(url, {"metadata": {"openid": "o-123"}, "name": "Changed"}, format="json"))
    saved = _row(shop, Customer, uuid=me["uuid"])
    assert (saved.metadata, saved.name) == ({"openid": "o-1"}, me["name"])
    with schema_context(shop.schema_name):
        pets_before = Pet.objects.count()
    _refused(client.post("/api/v1/pets", {"name": "Mimi", "species": "cat", "metadata": {"chip": "1"}}, format="json"))
    with schema_context(shop.schema_name):
        assert Pet.objects.count() == pets_before
    pet = pet_add(client)
    _refused(client.patch(f"/api/v1/pets/{pet['uuid']}", {"metadata": {"chip": "1"}}, format="json"))
    assert _row(shop, Pet, uuid=pet["uuid"]).metadata == {}
    assert ok(staff.get(url))["metadata"] == {"openid": "o-1"}


def test_a_customer_token_neither_writes_nor_reads_contract_and_payment_method_metadata(shop, staff):
    me, client = customer_register(shop, suffix="779")
    version = current_versions(staff)["basic"]["id"]
    with schema_context(shop.schema_name):
        contracts_before = Contract.objects.count()
    _refused(client.post("/api/v1/contracts", {"pet_uuid": pet_add(client)["uuid"], "plan_version_id": version,
                                               "metadata": {"deal": "D-1"}}, format="json"))  # fmt: skip
    with schema_context(shop.schema_name):
        assert Contract.objects.count() == contracts_before
    contract = active(staff, draft(staff, suffix="780")["uuid"])
    url = f"/api/v1/contracts/{contract['uuid']}"
    ok(staff.patch(url, {"metadata": {"deal": "D-9"}}, format="json"))
    adopter = adopter_client(staff, contract["uuid"])
    assert ok(adopter.get(url))["metadata"] == {}
    _refused(adopter.patch(url, {"metadata": {"deal": "mine"}}, format="json"))
    assert _row(shop, Contract, uuid=contract["uuid"]).metadata == {"deal": "D-9"}
    method_url = f"/api/v1/payment-methods/{contract['payment_method_id']}"
    assert ok(adopter.get(method_url))["metadata"] == {}
    _refused(adopter.patch(method_url, {"metadata": {"label2": "x"}}, format="json"))
    assert _row(shop, PaymentMethod, pk=pk_of(PAYMENT_METHOD, contract["payment_method_id"], schema_name=shop.schema_name)).metadata == {}


def test_staff_find_a_registered_customer_by_their_whole_email(shop, staff, other_shop):
    me, _client = customer_register(shop, suffix="781")
    with schema_context(shop.schema_name):
        email = Customer.objects.select_related("user").get(uuid=me["uuid"]).user.email
    assert [row["uuid"] for row in ok(staff.get(f"/api/v1/customers?search={email.upper()}"))["results"]] == [me["uuid"]]
    assert ok(staff.get(f"/api/v1/customers?search={email.split('@')[1]}"))["results"] == []  # never by a fragment
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff2@beta.test", SHOP_PASSWORD, is_staff=True)
        intruder = api(other_shop, api_token_issue(user=user))
    assert ok(intruder.get(f"/api/v1/customers?search={email}"))["results"] == []


def test_every_metadata_field_of_the_schema_states_the_key_rules(api_client):
    """OpenAPI 3.0 cannot bound a map's keys: the rules are in words on each field and filter."""
    schema = api_client.get("/api/v1/schema.json").json()
    rules = ("At most 50 keys of 1–40 characters", "at most 500 characters")
    fields = [
        (name, field)
        for name, component in schema["components"]["schemas"].items()
        for field_name, field in component.get("properties", {}).items()
        if field_name == "metadata"
    ]
    assert {"Customer", "ContractCreateRequest", "PatchedPaymentMethodUpdateRequest", "Order"} <= {n for n, _f in fields}
    assert [name for name, field in fields if not all(rule in field.get("description", "") for rule in rules)] == []
    filters = [
        parameter
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "metadata"
    ]
    assert len(filters) == 2 and all(all(rule in f["description"] for rule in rules) for f in filters)


@pytest.mark.parametrize("name", ["metadata", "metadata[]"])
@pytest.mark.parametrize("path", ["/api/v1/contracts", "/api/v1/customers"])
def test_a_metadata_filter_without_a_key_is_refused(staff, name, path):
    answer = staff.get(path, {name: "x"})
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid",
        "message": "Filter on metadata with a key in brackets: metadata[crm_id]=C-1042.",
        "fields": {name: ["Name the metadata key in brackets."]},
    }


@pytest.mark.parametrize("path", ["/api/v1/contracts", "/api/v1/customers"])
def test_a_nested_metadata_filter_is_refused_naming_the_parameter(staff, path):
    answer = staff.get(path, {"metadata[a][b]": "1"})
    assert (answer.status_code, answer.json()) == (400, {
        "code": "invalid",
        "message": "Metadata is flat: filter on one key in brackets, metadata[crm_id]=C-1042.",
        "fields": {"metadata[a][b]": ["Nested keys are not supported."]},
    })  # fmt: skip


@pytest.mark.parametrize("path", ["/api/v1/contracts", "/api/v1/customers"])
def test_an_empty_search_is_no_search(staff, path):
    draft(staff)
    everything = ok(staff.get(path))["results"]
    assert everything
    assert ok(staff.get(path, {"search": ""}))["results"] == everything
    assert ok(staff.get(path, {"search": "  "}))["results"] == everything
    assert ok(staff.get(path, {"search": "no-such-name"}))["results"] == []
