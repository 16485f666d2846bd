"""Single reads and edits a frontend needs: a customer, a pet, a plan (public), withdrawing
a draft, who am I, signing out. Each is isolated between customers and between shops."""
from datetime import date

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import PAYMENT_METHOD, PLAN, opaque_id
from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, PaymentMethod, Plan
from pawpact.billing.services import signing
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, pet_create
from tests.conftest import SHOP_PASSWORD, host_of

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _client(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _customer(shop, email: str, phone: str) -> tuple[Customer, Pet, APIClient]:
    """A customer with a login, a token and a pet."""
    with schema_context(shop.schema_name):
        user = User.objects.create_user(email, SHOP_PASSWORD, name="Wang Fang")
        customer = customer_create(name="Wang Fang", phone=phone, birth_date=date(1990, 5, 5), user=user)
        pet = pet_create(owner=customer, name="Mochi", species="cat")
        return customer, pet, _client(shop, api_token_issue(user=user))


def _staff(shop, email: str) -> APIClient:
    with schema_context(shop.schema_name):
        user = User.objects.create_user(email, SHOP_PASSWORD, is_staff=True)
        return _client(shop, api_token_issue(user=user))


def _row(shop, model, **lookup):
    with schema_context(shop.schema_name):
        return model.objects.get(**lookup)


# --- Customers ---------------------------------------------------------------------------


def test_a_customer_reads_and_edits_themself_and_their_login_follows(shop):
    me, _pet, client = _customer(shop, "me@alpha.test", "13800000001")
    assert client.get(f"/api/v1/customers/{me.uuid}").json()["name"] == "Wang Fang"
    response = client.patch(f"/api/v1/customers/{me.uuid}", {"name": "Wang Xiaofang", "phone": "+8613800000009"})
    assert response.status_code == 200
    assert response.json()["phone"] == "13800000009"
    saved = _row(shop, Customer, pk=me.pk)
    assert (saved.name, saved.phone, saved.birth_date) == ("Wang Xiaofang", "13800000009", date(1990, 5, 5))
    assert _row(shop, User, pk=me.user_id).name == "Wang Xiaofang"
    assert client.get("/api/v1/me").json()["customer_uuid"] == str(me.uuid)


def test_a_customer_cannot_read_or_edit_another(shop):
    _me, _pet, client = _customer(shop, "me@alpha.test", "13800000001")
    other, _other_pet, _ = _customer(shop, "other@alpha.test", "13800000002")
    assert client.get(f"/api/v1/customers/{other.uuid}").json() == NOT_FOUND
    response = client.patch(f"/api/v1/customers/{other.uuid}", {"name": "Taken over"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert _row(shop, Customer, pk=other.pk).name == "Wang Fang"


def test_staff_edit_any_customer_and_a_taken_phone_or_bad_body_changes_nothing(shop):
    staff = _staff(shop, "staff@alpha.test")
    one, _pet, _ = _customer(shop, "one@alpha.test", "13800000001")
    _customer(shop, "two@alpha.test", "13800000002")
    assert staff.patch(f"/api/v1/customers/{one.uuid}", {"birth_date": "1991-01-02"}).status_code == 200
    taken = staff.patch(f"/api/v1/customers/{one.uuid}", {"phone": "13800000002"})
    assert (taken.status_code, taken.json()["code"]) == (409, "phone_taken")
    assert staff.patch(f"/api/v1/customers/{one.uuid}", {}).status_code == 400
    unknown = staff.patch(f"/api/v1/customers/{one.uuid}", {"standing": "current"})
    assert (unknown.status_code, unknown.json()["fields"]) == (400, {"standing": ["Unknown field."]})
    future = staff.patch(f"/api/v1/customers/{one.uuid}", {"birth_date": "2999-01-01"})
    assert (future.status_code, future.json()["code"]) == (422, "impossible_date")
    saved = _row(shop, Customer, pk=one.pk)
    assert (saved.phone, saved.birth_date) == ("13800000001", date(1991, 1, 2))


def test_another_shops_staff_and_tokens_reach_no_customer_or_pet(shop, other_shop):
    mine, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    their_staff = _staff(other_shop, "staff@beta.test")
    for path in (f"/api/v1/customers/{mine.uuid}", f"/api/v1/pets/{pet.uuid}"):
        assert their_staff.get(path).json() == NOT_FOUND
        assert their_staff.patch(path, {"name": "Renamed"}).status_code == 404
        # Alpha's token on beta's host is nobody there.
        token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
        assert _client(other_shop, token).get(path).status_code == 401
    assert _row(shop, Customer, pk=mine.pk).name == "Wang Fang"
    assert _row(shop, Pet, pk=pet.pk).name == "Mochi"


# --- Pets ----------------------------------------------------------------------------------


def test_a_customer_edits_their_own_pet_only(shop):
    _me, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    _other, other_pet, _ = _customer(shop, "other@alpha.test", "13800000002")
    edited = client.patch(f"/api/v1/pets/{pet.uuid}", {"breed": "British Shorthair", "birthday": "2024-02-01"})
    assert edited.status_code == 200 and edited.json()["breed"] == "British Shorthair"
    assert client.get(f"/api/v1/pets/{other_pet.uuid}").json() == NOT_FOUND
    assert client.patch(f"/api/v1/pets/{other_pet.uuid}", {"name": "Mine now"}).status_code == 404
    saved, other_saved = _row(shop, Pet, pk=pet.pk), _row(shop, Pet, pk=other_pet.pk)
    assert (saved.breed, saved.birthday, other_saved.name) == ("British Shorthair", date(2024, 2, 1), "Mochi")


def test_a_pet_adopted_before_birth_is_refused_and_unchanged(shop):
    _me, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    response = client.patch(f"/api/v1/pets/{pet.uuid}", {"birthday": "2024-02-01", "adoption_date": "2024-01-01"})
    assert (response.status_code, response.json()["code"]) == (422, "impossible_date")
    assert _row(shop, Pet, pk=pet.pk).birthday is None


# --- Plans (public) ---------------------------------------------------------------------------


def test_plans_are_public_and_an_inactive_plan_is_for_staff_only(shop, other_shop):
    with schema_context(shop.schema_name):
        Plan.objects.filter(code="premium").update(is_active=False)
    anonymous = _client(shop)
    codes = [plan["code"] for plan in anonymous.get("/api/v1/plans").json()["results"]]
    assert sorted(codes) == ["advanced", "basic"]
    basic, premium = _plan_id(shop, "basic"), _plan_id(shop, "premium")
    assert anonymous.get(f"/api/v1/plans/{basic}").json()["current_version"]["monthly_price_minor"] == 39900
    assert anonymous.get(f"/api/v1/plans/{premium}").json() == NOT_FOUND
    assert _staff(shop, "staff@alpha.test").get(f"/api/v1/plans/{premium}").json()["is_active"] is False
    # Each shop has its own plans: the other shop's premium is still on sale there.
    theirs = _plan_id(other_shop, "premium")
    assert _client(other_shop).get(f"/api/v1/plans/{theirs}").json()["is_active"] is True


def _plan_id(shop, code: str) -> str:
    with schema_context(shop.schema_name):
        return opaque_id(PLAN, Plan.objects.get(code=code).pk, schema_name=shop.schema_name)


def pm(method: PaymentMethod, shop) -> str:
    return opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name)


# --- Withdrawing a draft ---------------------------------------------------------------------


def _draft(shop, customer: Customer, pet: Pet) -> Contract:
    with schema_context(shop.schema_name):
        version = Plan.objects.get(code="basic").versions.order_by("-version").first()
        return signing.application_create(customer=customer, pet=pet, plan_version_id=version.pk)


def test_a_customer_withdraws_their_draft_once_and_not_anothers(shop):
    me, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    other, other_pet, _ = _customer(shop, "other@alpha.test", "13800000002")
    mine, theirs = _draft(shop, me, pet), _draft(shop, other, other_pet)
    url = f"/api/v1/contracts/{mine.uuid}/withdraw"
    assert client.post(url).json()["code"] == "idempotency_key_required"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="w-1")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="w-1")
    assert first.json()["status"] == ContractStatus.WITHDRAWN and again["Idempotent-Replayed"] == "true"
    refused = client.post(url, HTTP_IDEMPOTENCY_KEY="w-2")
    assert (refused.status_code, refused.json()["code"]) == (409, "illegal_transition")
    assert client.post(f"/api/v1/contracts/{theirs.uuid}/withdraw", HTTP_IDEMPOTENCY_KEY="w-3").status_code == 404
    assert _row(shop, Contract, pk=theirs.pk).status == ContractStatus.DRAFT


# --- Signing out ----------------------------------------------------------------------------------


def test_logout_revokes_the_token(shop):
    _me, _pet, client = _customer(shop, "me@alpha.test", "13800000001")
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/auth/logout").status_code == 401


# --- Filters and search -----------------------------------------------------------------------


def test_lists_filter_and_search_within_what_the_caller_may_see(shop):
    staff = _staff(shop, "staff@alpha.test")
    me, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    other, other_pet, _ = _customer(shop, "other@alpha.test", "13900000002")
    with schema_context(shop.schema_name):
        Customer.objects.filter(pk=other.pk).update(name="Zhao Lei")
    mine, theirs = _draft(shop, me, pet), _draft(shop, other, other_pet)

    def uuids(response):
        assert response.status_code == 200, response.content
        return [row["uuid"] for row in response.json()["results"]]

    assert uuids(staff.get("/api/v1/customers?search=zhao")) == [str(other.uuid)]
    assert uuids(staff.get("/api/v1/customers?search=1380000")) == [str(me.uuid)]
    assert uuids(staff.get(f"/api/v1/contracts?customer_uuid={other.uuid}&status=draft")) == [str(theirs.uuid)]
    assert uuids(staff.get("/api/v1/contracts?status=active")) == []
    assert uuids(staff.get(f"/api/v1/pets?owner_uuid={me.uuid}")) == [str(pet.uuid)]
    # A customer's filters never reach past their own records.
    assert uuids(client.get(f"/api/v1/contracts?customer_uuid={other.uuid}")) == []
    assert uuids(client.get("/api/v1/contracts?status=draft")) == [str(mine.uuid)]
    assert uuids(client.get(f"/api/v1/pets?owner_uuid={other.uuid}")) == []
    bad = staff.get("/api/v1/contracts?status=AAA")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["status"])
    # An empty search box's `search=` is no search; an empty filter of another kind is refused.
    assert staff.get("/api/v1/customers?search=").status_code == 200
    assert staff.get("/api/v1/customers?standing=").status_code == 400


# --- Saved payment methods -------------------------------------------------------------------


def _method(shop, customer: Customer, token: str = "tok_success"):
    with schema_context(shop.schema_name):
        return payment_method_attach(customer=customer, rail="sandbox", token=token)


def test_a_customer_lists_and_removes_their_own_unused_payment_method(shop):
    me, _pet, client = _customer(shop, "me@alpha.test", "13800000001")
    other, _other_pet, _ = _customer(shop, "other@alpha.test", "13800000002")
    mine, theirs = _method(shop, me), _method(shop, other, "tok_hard_decline")
    listed = client.get("/api/v1/payment-methods").json()["results"]
    assert [(row["id"], row["rail"], row["label"]) for row in listed] == [(pm(mine, shop), "sandbox", "Sandbox · success")]
    assert client.get(f"/api/v1/payment-methods/{pm(theirs, shop)}").json() == NOT_FOUND
    assert client.delete(f"/api/v1/payment-methods/{pm(theirs, shop)}").status_code == 404
    assert client.delete(f"/api/v1/payment-methods/{pm(mine, shop)}").status_code == 204
    assert client.get("/api/v1/payment-methods").json()["results"] == []
    assert client.delete(f"/api/v1/payment-methods/{pm(mine, shop)}").status_code == 404
    assert (_row(shop, PaymentMethod, pk=mine.pk).is_active, _row(shop, PaymentMethod, pk=theirs.pk).is_active) == (
        False, True,
    )  # fmt: skip
    # Attaching the saved token again brings the same method back.
    assert _method(shop, me, mine.token).pk == mine.pk
    assert _row(shop, PaymentMethod, pk=mine.pk).is_active is True


def test_a_payment_method_a_contract_debits_is_not_removed(shop):
    me, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    method = _method(shop, me)
    contract = _draft(shop, me, pet)
    with schema_context(shop.schema_name):
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.SIGNED, payment_method=method)
    response = client.delete(f"/api/v1/payment-methods/{pm(method, shop)}")
    assert (response.status_code, response.json()["code"]) == (409, "payment_method_in_use")
    assert _row(shop, PaymentMethod, pk=method.pk).is_active is True


def test_a_payment_method_s_label_is_in_the_reader_s_language_as_stored_in_english(shop):
    me, pet, client = _customer(shop, "me@alpha.test", "13800000001")
    method = _method(shop, me, "tok_hard_decline")
    contract = _draft(shop, me, pet)
    with schema_context(shop.schema_name):
        Contract.objects.filter(pk=contract.pk).update(payment_method=method)
    for language, label in (("en", "Sandbox · hard decline"), ("zh-hans", "测试卡 · 银行拒绝")):
        [listed] = client.get("/api/v1/payment-methods", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        shown = client.get(f"/api/v1/contracts/{contract.uuid}", HTTP_ACCEPT_LANGUAGE=language).json()
        assert (listed["label"], shown["payment_method"]) == (label, label)
    assert _row(shop, PaymentMethod, pk=method.pk).label == "Sandbox · hard decline"


def test_staff_see_every_customers_methods_and_another_shop_sees_none(shop, other_shop):
    me, _pet, _client_ = _customer(shop, "me@alpha.test", "13800000001")
    other, _other_pet, _ = _customer(shop, "other@alpha.test", "13800000002")
    mine, theirs = _method(shop, me), _method(shop, other, "tok_hard_decline")
    staff = _staff(shop, "staff@alpha.test")
    ids = [row["id"] for row in staff.get("/api/v1/payment-methods").json()["results"]]
    assert ids == [pm(theirs, shop), pm(mine, shop)]
    only_mine = staff.get(f"/api/v1/payment-methods?customer_uuid={me.uuid}").json()["results"]
    assert [row["id"] for row in only_mine] == [pm(mine, shop)]
    beta_staff = _staff(other_shop, "staff@beta.test")
    assert beta_staff.get(f"/api/v1/payment-methods/{pm(mine, shop)}").status_code == 404
    assert beta_staff.delete(f"/api/v1/payment-methods/{pm(mine, shop)}").status_code == 404
    assert _row(shop, PaymentMethod, pk=mine.pk).is_active
