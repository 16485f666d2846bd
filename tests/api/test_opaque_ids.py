"""Plans, plan versions and saved payment methods are named by opaque, typed ids (`plan_…`,
`planver_…`, `paymethod_…`) from 2026-12-15; a plan keeps its `code` as a field and a filter.
Clients pinned to 2026-12-01 keep what they had: plans addressed by code, numbers in answers,
numbers accepted in paths and bodies. An id of the wrong type, or from another shop, names
nothing and nothing is written."""
import re

import pytest
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import MESSAGE, PAYMENT_METHOD, PLAN, PLAN_VERSION, RENEWAL_OFFER, opaque_id, pk_of
from pawpact.api.version_shapes import to_2026_12_01
from pawpact.billing.models import Contract, PaymentMethod, Plan, PlanVersion
from tests.api.test_resources_api import NOT_FOUND, _client, _customer, _method, _row, _staff

OLD = {"HTTP_PAWPACT_VERSION": "2026-12-01"}


def _plans(client, **headers) -> dict[str, dict]:
    return {plan["code"]: plan for plan in client.get("/api/v1/plans", **headers).json()["results"]}


def _counts(shop) -> tuple[int, int, int]:
    with schema_context(shop.schema_name):
        return Contract.objects.count(), PlanVersion.objects.count(), PaymentMethod.objects.filter(is_active=True).count()


def test_plans_and_their_versions_have_typed_ids_and_keep_their_code(shop):
    anonymous = _client(shop)
    plans = _plans(anonymous)
    with schema_context(shop.schema_name):
        basic = Plan.objects.get(code="basic")
        version = basic.versions.order_by("-version").first()
    assert (plans["basic"]["id"], plans["basic"]["current_version"]["id"]) == (
        opaque_id(PLAN, basic.pk, schema_name=shop.schema_name), opaque_id(PLAN_VERSION, version.pk, schema_name=shop.schema_name),
    )  # fmt: skip
    assert all(re.fullmatch(r"plan_[0-9A-Za-z]{10,}", plan["id"]) for plan in plans.values())
    found = anonymous.get("/api/v1/plans?code=basic").json()["results"]
    assert [plan["id"] for plan in found] == [plans["basic"]["id"]]
    assert anonymous.get("/api/v1/plans?code=none").json()["results"] == []
    assert anonymous.get(f"/api/v1/plans/{plans['basic']['id']}").json() == plans["basic"]
    # The code, a version's id, a number: not a plan's id in this version.
    for wrong in ("basic", plans["basic"]["current_version"]["id"], str(basic.pk)):
        assert anonymous.get(f"/api/v1/plans/{wrong}").json() == NOT_FOUND, wrong


def test_a_new_version_answers_its_typed_id_and_a_contract_names_it(shop):
    staff = _staff(shop, "staff@alpha.test")
    basic = _plans(staff)["basic"]
    new = staff.post(f"/api/v1/plans/{basic['id']}/versions", {"monthly_price_minor": 45_900}, format="json")
    assert new.status_code == 201
    assert (new.json()["object"], new.json()["version"]) == ("plan_version", 2)
    with schema_context(shop.schema_name):
        assert PlanVersion.objects.get(pk=pk_of(PLAN_VERSION, new.json()["id"], schema_name=shop.schema_name)).monthly_price_minor == 45_900
    customer, pet, _client_ = _customer(shop, "me@alpha.test", "13800000001")
    body = {"customer_uuid": str(customer.uuid), "pet_uuid": str(pet.uuid)}
    before = _counts(shop)
    for wrong in (pk_of(PLAN_VERSION, new.json()["id"], schema_name=shop.schema_name), basic["id"], "planver_", True):
        refused = staff.post("/api/v1/contracts", {**body, "plan_version_id": wrong}, format="json")
        assert (refused.status_code, refused.json()["code"], list(refused.json()["fields"])) == (
            400, "invalid", ["plan_version_id"],
        ), wrong  # fmt: skip
    assert _counts(shop) == before
    created = staff.post("/api/v1/contracts", {**body, "plan_version_id": new.json()["id"]}, format="json")
    assert (created.status_code, created.json()["monthly_amount_minor"]) == (201, 45_900)


def test_clients_of_2026_12_01_keep_codes_and_numbers(shop):
    staff = _staff(shop, "staff@alpha.test")
    with schema_context(shop.schema_name):
        basic = Plan.objects.get(code="basic")
        version = basic.versions.order_by("-version").first()
    plan = staff.get("/api/v1/plans/basic", **OLD).json()
    assert (plan["id"], plan["code"], plan["current_version"]["id"]) == (basic.pk, "basic", version.pk)
    assert _plans(staff, **OLD)["basic"] == plan
    new = staff.post("/api/v1/plans/basic/versions", {"periods": 24}, format="json", **OLD).json()
    assert isinstance(new["id"], int) and new["periods"] == 24
    customer, pet, _client_ = _customer(shop, "me@alpha.test", "13800000001")
    body = {"customer_uuid": str(customer.uuid), "pet_uuid": str(pet.uuid), "plan_version_id": new["id"]}
    contract = staff.post("/api/v1/contracts", body, format="json", **OLD)
    assert (contract.status_code, contract.json()["periods"]) == (201, 24)


def test_saved_payment_methods_by_typed_id_and_by_number_for_2026_12_01(shop):
    me, _pet, client = _customer(shop, "me@alpha.test", "13800000001")
    other, _other_pet, _ = _customer(shop, "other@alpha.test", "13800000002")
    mine, theirs = _method(shop, me), _method(shop, other, "tok_hard_decline")
    mine_id = opaque_id(PAYMENT_METHOD, mine.pk, schema_name=shop.schema_name)
    assert [row["id"] for row in client.get("/api/v1/payment-methods").json()["results"]] == [mine_id]
    assert client.get(f"/api/v1/payment-methods/{mine_id}").json()["id"] == mine_id
    assert client.get(f"/api/v1/payment-methods/{mine.pk}").json() == NOT_FOUND
    assert client.get(f"/api/v1/payment-methods/{opaque_id(PLAN, mine.pk, schema_name=shop.schema_name)}").json() == NOT_FOUND
    assert client.get(f"/api/v1/payment-methods/{mine.pk}", **OLD).json()["id"] == mine.pk
    assert [row["id"] for row in client.get("/api/v1/payment-methods", **OLD).json()["results"]] == [mine.pk]
    # Someone else's method, in either version: not found, not removed.
    before = _counts(shop)
    assert client.delete(f"/api/v1/payment-methods/{opaque_id(PAYMENT_METHOD, theirs.pk, schema_name=shop.schema_name)}").status_code == 404
    assert client.delete(f"/api/v1/payment-methods/{theirs.pk}", **OLD).status_code == 404
    assert _counts(shop) == before
    assert client.delete(f"/api/v1/payment-methods/{mine.pk}", **OLD).status_code == 204
    assert _row(shop, PaymentMethod, pk=mine.pk).is_active is False


def test_another_shop_finds_nothing_by_an_id_from_this_one(shop, other_shop):
    with schema_context(shop.schema_name):
        extra = Plan.objects.create(code="extra", name="Extra")
    me, _pet, _client_ = _customer(shop, "me@alpha.test", "13800000001")
    method = _method(shop, me)
    beta = _staff(other_shop, "staff@beta.test")
    with schema_context(other_shop.schema_name):
        assert not Plan.objects.filter(pk=extra.pk).exists()
        assert not PaymentMethod.objects.filter(pk=method.pk).exists()
    assert beta.get(f"/api/v1/plans/{opaque_id(PLAN, extra.pk, schema_name=shop.schema_name)}").json() == NOT_FOUND
    assert beta.get(f"/api/v1/payment-methods/{opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)}").json() == NOT_FOUND
    assert beta.delete(f"/api/v1/payment-methods/{opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)}").status_code == 404
    assert _row(shop, PaymentMethod, pk=method.pk).is_active is True


@pytest.mark.parametrize(
    ("latest", "old"),
    [
        ({"object": "plan", "id": opaque_id(PLAN, 7), "code": "basic",
          "current_version": {"object": "plan_version", "id": opaque_id(PLAN_VERSION, 9)}},
         {"object": "plan", "id": 7, "code": "basic", "current_version": {"object": "plan_version", "id": 9}}),
        ({"object": "contract", "payment_method_id": opaque_id(PAYMENT_METHOD, 3), "plan": None},
         {"object": "contract", "payment_method_id": 3, "plan": None}),
        ({"object": "contract", "payment_method_id": None}, {"object": "contract", "payment_method_id": None}),
        ({"object": "membership", "payment_method_id": opaque_id(PAYMENT_METHOD, 4)},
         {"object": "membership", "payment_method_id": 4}),
        ({"object": "list", "results": [{"object": "message", "id": opaque_id(MESSAGE, 6)},
                                        {"object": "renewal_offer", "id": opaque_id(RENEWAL_OFFER, 8)}]},
         {"object": "list", "results": [{"object": "message", "id": 6}, {"object": "renewal_offer", "id": 8}]}),
        ({"object": "membership_plan", "id": 5}, {"object": "membership_plan", "id": 5}),
    ],
)  # fmt: skip
def test_the_downgrade_turns_each_typed_id_back_into_its_number(latest, old):
    assert to_2026_12_01(latest, one_page=False) == old


def test_an_id_is_read_back_only_in_its_one_spelling():
    pk = 42
    assert pk_of(PLAN, opaque_id(PLAN, pk)) == pk
    assert pk_of(PLAN_VERSION, opaque_id(PLAN, pk)) is None
    assert pk_of(PLAN, opaque_id(PLAN, pk) + "x") is None
    assert pk_of(PLAN, "plan_" + "z" * 40) is None  # no bigint record
    assert pk_of(PAYMENT_METHOD, 42) is None
