"""The billing API over HTTP only: the signing flow for staff and for customers, who
may see and do what, bad input that writes nothing, shop isolation, and OpenAPI.

Time stands still at 10:00 in Beijing on Monday 16 March 2026, so period 1 is due
that day and every later period on the plan's debit day (the 10th), from the first 10th
at least the rails' minimum period (28 days) later: 10 May.
"""
import hashlib
import itertools
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import PLAN_VERSION, opaque_id
from pawpact.billing.models import Contract, DebitPeriod, Journal, PaymentMethod, PlanVersion
from pawpact.customers.models import Customer, Pet
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from tests.conftest import SHOP_PASSWORD, api_register, host_of

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)
ADULT = "1990-05-05"
# The Basic plan's calendar when signed today: period 1 today, then the 10th of each month
# from 10 May (10 April is only 25 days away).
BASIC_DUE_DATES = [
    "2026-03-16", "2026-05-10", "2026-06-10", "2026-07-10", "2026-08-10", "2026-09-10",
    "2026-10-10", "2026-11-10", "2026-12-10", "2027-01-10", "2027-02-10", "2027-03-10",
]  # fmt: skip

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}
UNKNOWN_PET = {"code": "unknown_pet", "message": "No such pet at this shop.", "fields": {"pet_uuid": ["Unknown pet."]}}
FORBIDDEN = {"code": "permission_denied", "message": "You do not have permission to perform this action.", "fields": {}}

_phones = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


# --- Helpers: clients, answers, counts --------------------------------------------------


def api(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int) -> dict:
    """The body of a refusal, checked to have the API's one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} | ({"decline_code"} if body.get("code") == "payment_declined" else set())
    return body


def counts(shop) -> dict[str, int]:
    """Everything a refused request must leave as it was."""
    with schema_context(shop.schema_name):
        return {
            "contracts": Contract.objects.count(),
            "journals": Journal.objects.count(),
            "periods": DebitPeriod.objects.count(),
            "sandbox_charges": SandboxCharge.objects.count(),
            "customers": Customer.objects.count(),
            "pets": Pet.objects.count(),
            "payment_methods": PaymentMethod.objects.count(),
            "plan_versions": PlanVersion.objects.count(),
        }


@contextmanager
def nothing_written(shop):
    before = counts(shop)
    yield
    assert counts(shop) == before


def phone_ending(suffix: str) -> str:
    """A fresh mainland mobile number ending in `suffix`: the sandbox credit score's input."""
    return f"139{next(_phones):05d}{suffix}"


def contract_url(uuid: str, step: str = "") -> str:
    return f"/api/v1/contracts/{uuid}" + (f"/{step}" if step else "")


# --- Helpers: the HTTP steps of the flow -------------------------------------------------


def plan_versions_url(client, code: str) -> str:
    """Where a plan's new versions are posted: the plan found by its code, addressed by its id."""
    [plan] = ok(client.get(f"/api/v1/plans?code={code}"))["results"]
    return f"/api/v1/plans/{plan['id']}/versions"


def current_versions(client) -> dict[str, dict]:
    """GET /plans as {plan code: its current version}."""
    return {plan["code"]: plan["current_version"] for plan in ok(client.get("/api/v1/plans"))["results"]}


def customer_add(staff_client, *, suffix: str = "999", birth_date: str = ADULT) -> dict:
    body = {"name": "Wang Fang", "phone": phone_ending(suffix), "birth_date": birth_date}
    return ok(staff_client.post("/api/v1/customers", body, format="json"), 201)


def customer_register(shop, *, suffix: str = "999") -> tuple[dict, APIClient]:
    """Self-service sign-up; returns the customer and a client holding their token."""
    number = next(_phones)
    body = {
        "email": f"adopter{number}@example.com",
        "password": SHOP_PASSWORD,
        "name": f"Adopter {number}",
        "phone": f"139{number:05d}{suffix}",
        "birth_date": ADULT,
    }
    answer = ok(api_register(api(shop), body), 201)
    return answer["customer"], api(shop, answer["token"])


def pet_add(client, owner_uuid: str | None = None) -> dict:
    body = {"name": "Mimi", "species": "cat", "breed": "Ragdoll"}
    if owner_uuid:
        body["owner_uuid"] = owner_uuid
    return ok(client.post("/api/v1/pets", body, format="json"), 201)


def apply(client, *, pet_uuid: str, plan_version_id: str, customer_uuid: str | None = None):
    body = {"pet_uuid": pet_uuid, "plan_version_id": plan_version_id}
    if customer_uuid:
        body["customer_uuid"] = customer_uuid
    return client.post("/api/v1/contracts", body, format="json")


def sign(client, uuid: str):
    """The adopter signs with their own login: staff cannot sign for a customer (the API refuses them)."""
    return adopter_client(client, uuid).post(contract_url(uuid, "sign"), {"signer_name": "Wang Fang"}, format="json")


def adopter_client(client, uuid: str) -> APIClient:
    """A client logged in as the contract's customer (an account is made for them if they have none)."""
    shop = Shop.objects.get(domains__domain=client.defaults["HTTP_HOST"])
    with schema_context(shop.schema_name):
        contract = Contract.objects.select_related("customer__user").filter(uuid=uuid).first()
        if contract is None:
            return client  # an unknown contract: the API answers for itself
        customer = contract.customer
        if customer.user is None:
            customer.user = User.objects.create_user(f"adopter-{customer.pk}@{shop.slug}.test", SHOP_PASSWORD)
            customer.save(update_fields=["user"])
        token = api_token_issue(user=customer.user)
    return api(shop, token)


def attach(client, uuid: str, token: str = "tok_success"):
    return client.post(contract_url(uuid, "payment-method"), {"rail": "sandbox", "token": token}, format="json")


def activate(client, uuid: str, key: str | None = "activate-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(contract_url(uuid, "activate"), **headers)


def draft(staff_client, *, plan: str = "basic", suffix: str = "999") -> dict:
    """A staff-made draft contract for a new customer's pet."""
    customer = customer_add(staff_client, suffix=suffix)
    pet = pet_add(staff_client, customer["uuid"])
    version_id = current_versions(staff_client)[plan]["id"]
    response = apply(staff_client, pet_uuid=pet["uuid"], plan_version_id=version_id, customer_uuid=customer["uuid"])
    return ok(response, 201)


def signed(client, uuid: str) -> dict:
    ok(client.post(contract_url(uuid, "credit-consent")))
    ok(client.post(contract_url(uuid, "credit-check")))
    return ok(sign(client, uuid))


def active(client, uuid: str) -> dict:
    signed(client, uuid)
    ok(attach(client, uuid))
    return ok(activate(client, uuid))


@pytest.fixture
def staff(shop, shop_staff) -> APIClient:
    return api(shop, shop_staff.api_token)


@pytest.fixture
def other_staff(other_shop) -> APIClient:
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        token = api_token_issue(user=user)
    return api(other_shop, token)


# --- 1. Staff-assisted flow -------------------------------------------------------------


def test_plans_are_the_three_seed_plans_with_their_current_terms(staff):
    answer = ok(staff.get("/api/v1/plans"))
    assert answer["next"] is None
    assert [
        (plan["code"], plan["current_version"]["version"], plan["current_version"]["monthly_price_minor"],
         plan["current_version"]["periods"], plan["current_version"]["total_minor"])
        for plan in answer["results"]
    ] == [
        ("premium", 1, 89900, 24, 2157600),
        ("advanced", 1, 59900, 24, 1437600),
        ("basic", 1, 39900, 12, 478800),
    ]  # fmt: skip


def test_staff_assisted_flow_end_to_end(shop, staff):
    basic = current_versions(staff)["basic"]
    assert (basic["monthly_price_minor"], basic["periods"], basic["total_minor"]) == (39900, 12, 478800)

    customer = customer_add(staff, suffix="417")  # the lowest sandbox score that waives the deposit
    assert {k: v for k, v in customer.items() if k not in ("uuid", "phone")} == {
        "object": "customer",
        "name": "Wang Fang",
        "email": "",
        "language": "",
        "birth_date": ADULT,
        "id_verification": "unverified",
        "metadata": {},
        "created_at": "2026-03-16T10:00:00+08:00",
    }
    pet = pet_add(staff, customer["uuid"])
    assert pet["owner_uuid"] == customer["uuid"]

    contract = ok(
        apply(staff, pet_uuid=pet["uuid"], plan_version_id=basic["id"], customer_uuid=customer["uuid"]), 201
    )
    uuid = contract["uuid"]
    assert {k: contract[k] for k in ("status", "customer_uuid", "pet_uuid", "plan_code", "plan_version")} == {
        "status": "draft",
        "customer_uuid": customer["uuid"],
        "pet_uuid": pet["uuid"],
        "plan_code": "basic",
        "plan_version": 1,
    }
    assert (contract["monthly_amount_minor"], contract["periods"], contract["total_minor"]) == (39900, 12, 478800)

    ok(staff.post(contract_url(uuid, "credit-consent")))
    contract = ok(staff.post(contract_url(uuid, "credit-check")))
    assert {k: contract[k] for k in ("credit_score", "credit_source", "deposit_minor", "deposit_status")} == {
        "credit_score": 600,
        "credit_source": "sandbox",
        "deposit_minor": 0,
        "deposit_status": "waived",
    }

    shown = ok(staff.get(contract_url(uuid, "agreement")))
    assert shown["sha256"] == ""
    assert (shown["monthly_amount_minor"], shown["periods"], shown["total_minor"], shown["currency"]) == (
        39900, 12, 478800, "CNY",
    )  # fmt: skip
    assert "总费用 TOTAL COST: ¥4,788.00（¥399.00 × 12）" in shown["text"]
    assert "Credit score 600: no deposit is required." in shown["text"]

    contract = ok(sign(staff, uuid))
    assert (contract["status"], contract["signed_by_name"], contract["signed_at"]) == (
        "signed", "Wang Fang", "2026-03-16T10:00:00+08:00",
    )  # fmt: skip
    kept = ok(staff.get(contract_url(uuid, "agreement")))
    assert kept["text"] == shown["text"]  # what was shown is what was signed
    assert kept["sha256"] == contract["agreement_sha256"] == hashlib.sha256(shown["text"].encode()).hexdigest()

    contract = ok(attach(staff, uuid))
    assert (contract["status"], contract["payment_method"]) == ("signed", "Sandbox · success")

    before = counts(shop)
    first = activate(staff, uuid, key="staff-flow-1")
    contract = ok(first)
    assert first.get("Idempotent-Replayed") is None
    assert (contract["status"], contract["activated_at"], contract["cooling_off_until"]) == (
        "active", "2026-03-16T10:00:00+08:00", "2026-03-23",
    )  # fmt: skip
    assert counts(shop) == {
        **before,
        "periods": before["periods"] + 12,
        "sandbox_charges": before["sandbox_charges"] + 1,  # period 1; no deposit
        "journals": before["journals"] + 2,  # contract activated, period 1 paid
    }

    calendar = ok(staff.get(contract_url(uuid, "calendar")))["results"]
    assert calendar == [
        {
            "object": "period",
            "number": number,
            "due_date": due_date,
            "amount_minor": 39900,
            "currency": "CNY",
            "status": "paid" if number == 1 else "scheduled",
            "paid_at": "2026-03-16T10:00:00+08:00" if number == 1 else None,
        }
        for number, due_date in enumerate(BASIC_DUE_DATES, start=1)
    ]

    pdf = staff.get(contract_url(uuid, "agreement.pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="agreement-{uuid}.pdf"'
    assert pdf.content.startswith(b"%PDF")

    # A retry with the same key replays the first answer and charges nothing.
    replay = activate(staff, uuid, key="staff-flow-1")
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    # A new key asks again: an active contract cannot be activated, 409, nothing charged.
    with nothing_written(shop):
        again = error(activate(staff, uuid, key="staff-flow-2"), 409)
    assert again == {
        "code": "illegal_transition",
        "message": "A contract that is “Active” cannot become “Active”.",
        "fields": {},
    }
    assert counts(shop)["sandbox_charges"] == before["sandbox_charges"] + 1

    with nothing_written(shop):
        refused = error(activate(staff, uuid, key=None), 400)
    assert refused == {
        "code": "idempotency_key_required",
        "message": "Send an Idempotency-Key header (1–255 characters) with this request.",
        "fields": {"Idempotency-Key": ["This header is required."]},
    }


def test_a_score_below_600_charges_the_deposit_before_period_one(shop, staff):
    uuid = draft(staff, suffix="416")["uuid"]
    ok(staff.post(contract_url(uuid, "credit-consent")))
    contract = ok(staff.post(contract_url(uuid, "credit-check")))
    assert (contract["credit_score"], contract["deposit_minor"], contract["deposit_status"]) == (599, 50000, "due")
    before = counts(shop)
    ok(sign(staff, uuid))
    ok(attach(staff, uuid))
    contract = ok(activate(staff, uuid))
    assert (contract["status"], contract["deposit_status"]) == ("active", "held")
    assert counts(shop)["sandbox_charges"] == before["sandbox_charges"] + 2  # deposit, period 1
    assert counts(shop)["journals"] == before["journals"] + 3  # deposit held, activated, period 1 paid


def test_staff_enters_a_credit_score_with_evidence(staff):
    uuid = draft(staff, suffix="000")["uuid"]  # the sandbox would say 350
    body = {"score": 720, "evidence": "Zhima report 42"}
    contract = ok(staff.post(contract_url(uuid, "credit-score"), body, format="json"))
    assert (contract["credit_score"], contract["credit_source"], contract["deposit_status"]) == (720, "staff", "waived")


def test_a_declined_first_debit_leaves_the_contract_signed_and_is_not_replayed(shop, staff):
    uuid = draft(staff)["uuid"]
    signed(staff, uuid)
    ok(attach(staff, uuid, token="tok_insufficient_funds"))
    refused = error(activate(staff, uuid, key="declined"), 422)
    assert (refused["code"], refused["decline_code"]) == ("payment_declined", "insufficient_funds")
    assert refused["message"].startswith("The first monthly debit of ¥399.00 failed (insufficient funds).")
    assert refused["fields"] == {"non_field_errors": ["insufficient funds"]}
    assert ok(staff.get(contract_url(uuid)))["status"] == "signed"

    # The rail answered, so the key keeps that answer: another method needs a new key.
    ok(attach(staff, uuid, token="tok_success"))
    replayed = activate(staff, uuid, key="declined")
    assert (replayed.status_code, replayed.json(), replayed["Idempotent-Replayed"]) == (422, refused, "true")
    assert ok(staff.get(contract_url(uuid)))["status"] == "signed"
    assert ok(activate(staff, uuid, key="declined-2"))["status"] == "active"


# --- 2. Customer self-service ----------------------------------------------------------


def test_customer_self_service_flow(shop):
    customer, client = customer_register(shop)
    assert ok(client.get("/api/v1/contracts"))["results"] == []

    pet = pet_add(client)
    assert pet["owner_uuid"] == customer["uuid"]
    basic = current_versions(client)["basic"]
    contract = ok(apply(client, pet_uuid=pet["uuid"], plan_version_id=basic["id"]), 201)
    assert (contract["status"], contract["customer_uuid"]) == ("draft", customer["uuid"])

    contract = active(client, contract["uuid"])
    assert (contract["status"], contract["signed_by_name"], contract["total_minor"]) == ("active", "Wang Fang", 478800)
    assert [c["uuid"] for c in ok(client.get("/api/v1/contracts"))["results"]] == [contract["uuid"]]
    assert [p["uuid"] for p in ok(client.get("/api/v1/pets"))["results"]] == [pet["uuid"]]
    assert len(ok(client.get(contract_url(contract["uuid"], "calendar")))["results"]) == 12


def test_a_customer_reaches_no_other_customers_contract(shop, staff):
    _, client = customer_register(shop)
    own = ok(
        apply(client, pet_uuid=pet_add(client)["uuid"], plan_version_id=current_versions(client)["basic"]["id"]), 201
    )["uuid"]
    theirs = draft(staff)["uuid"]
    ok(staff.post(contract_url(theirs, "credit-consent")))
    ok(staff.post(contract_url(theirs, "credit-check")))  # signable, by its own adopter

    assert [c["uuid"] for c in ok(client.get("/api/v1/contracts"))["results"]] == [own]
    body = {"signer_name": "Wang Fang", "rail": "sandbox", "token": "tok_success"}
    with nothing_written(shop):
        for step in ("", "agreement", "agreement.pdf", "calendar"):
            assert (step, error(client.get(contract_url(theirs, step)), 404)) == (step, NOT_FOUND)
        for step in ("credit-consent", "credit-check", "sign", "payment-method", "activate"):
            response = client.post(contract_url(theirs, step), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
            assert (step, error(response, 404)) == (step, NOT_FOUND)
    untouched = ok(staff.get(contract_url(theirs)))
    assert (untouched["status"], untouched["signed_at"], untouched["payment_method"]) == ("draft", None, None)


def test_a_customer_may_not_use_staff_operations(shop):
    _, client = customer_register(shop)
    own = ok(
        apply(client, pet_uuid=pet_add(client)["uuid"], plan_version_id=current_versions(client)["basic"]["id"]), 201
    )["uuid"]
    with nothing_written(shop):
        score = client.post(contract_url(own, "credit-score"), {"score": 900, "evidence": "me"}, format="json")
        assert error(score, 403) == FORBIDDEN
        version = client.post(plan_versions_url(client, "basic"), {"monthly_price_minor": 1}, format="json")
        assert error(version, 403) == FORBIDDEN
        customers = client.post(
            "/api/v1/customers", {"name": "X", "phone": phone_ending("999"), "birth_date": ADULT}, format="json"
        )
        assert error(customers, 403) == FORBIDDEN
        assert error(client.get("/api/v1/customers"), 403) == FORBIDDEN


def test_a_customer_cannot_apply_with_someone_elses_pet(shop, staff):
    _, client = customer_register(shop)
    theirs = pet_add(staff, customer_add(staff)["uuid"])
    with nothing_written(shop):
        response = apply(client, pet_uuid=theirs["uuid"], plan_version_id=current_versions(client)["basic"]["id"])
        # Someone else's pet answers exactly like a pet that does not exist.
        assert error(response, 404) == UNKNOWN_PET


def test_without_a_token_only_registration_and_the_plans_answer(shop):
    anonymous = api(shop)
    assert error(anonymous.get("/api/v1/contracts"), 401)["code"] == "not_authenticated"
    assert [plan["code"] for plan in ok(anonymous.get("/api/v1/plans"))["results"]] == ["premium", "advanced", "basic"]


# --- 3. Bad input: a clear 4xx and nothing written ----------------------------------------


PRICE = "The monthly price must be a positive whole number of fen."
PERIODS = "A plan runs for 12 to 24 periods."
DEBIT_DAY = "The debit day must be a day of the month from 1 to 28."
PENALTY = "The early termination penalty rate must be between 0 and 0.10 (at most 10% of the remaining amount)."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("monthly_price_minor", 0, PRICE),
        ("monthly_price_minor", -1, PRICE),
        ("periods", 11, PERIODS),
        ("periods", 25, PERIODS),
        ("debit_day", 0, DEBIT_DAY),
        ("debit_day", 29, DEBIT_DAY),
        ("penalty_rate", "0.11", PENALTY),
    ],
)
def test_invalid_plan_terms_are_refused(shop, staff, field, value, message):
    with nothing_written(shop):
        response = staff.post(plan_versions_url(staff, "basic"), {field: value}, format="json")
        assert error(response, 400) == {
            "code": "invalid",
            "message": "Some fields are invalid.",
            "fields": {field: [message]},
        }
    assert current_versions(staff)["basic"]["version"] == 1


def test_invalid_plan_version_bodies_are_refused(shop, staff):
    with nothing_written(shop):
        assert error(staff.post(plan_versions_url(staff, "basic"), {}, format="json"), 400) == {
            "code": "invalid",
            "message": "Some fields are invalid.",
            "fields": {"non_field_errors": ["Change at least one term."]},
        }
        not_a_number = staff.post(plan_versions_url(staff, "basic"), {"monthly_price_minor": "lots"}, format="json")
        assert error(not_a_number, 400)["fields"] == {"monthly_price_minor": ["Expected an integer."]}
        misspelt = staff.post(plan_versions_url(staff, "basic"), {"period": 12}, format="json")
        assert error(misspelt, 400)["fields"] == {"period": ["Unknown field."]}
        assert error(staff.post("/api/v1/plans/nope/versions", {"periods": 12}, format="json"), 404) == NOT_FOUND


def test_a_new_version_changes_new_applications_only(shop, staff):
    old = current_versions(staff)["basic"]
    running = draft(staff)["uuid"]
    new = ok(staff.post(plan_versions_url(staff, "basic"), {"monthly_price_minor": 45900}, format="json"), 201)
    assert (new["version"], new["monthly_price_minor"], new["total_minor"]) == (2, 45900, 550800)
    # Every term not given is copied from version 1.
    unchanged = ("periods", "debit_day", "entitlements", "scope_of_use", "deposit_minor", "penalty_rate")
    assert {k: new[k] for k in unchanged} == {k: old[k] for k in unchanged}
    assert current_versions(staff)["basic"]["id"] == new["id"]
    assert ok(staff.get(contract_url(running)))["monthly_amount_minor"] == 39900

    customer = customer_add(staff)
    pet = pet_add(staff, customer["uuid"])
    with nothing_written(shop):
        stale = apply(staff, pet_uuid=pet["uuid"], plan_version_id=old["id"], customer_uuid=customer["uuid"])
        assert error(stale, 404) == {
            "code": "unknown_plan_version",
            "message": "This version of the plan is no longer offered; use its current version.",
            "fields": {"plan_version_id": ["Superseded plan version."]},
        }


def test_an_unknown_plan_version_is_refused(shop, staff):
    customer = customer_add(staff)
    pet = pet_add(staff, customer["uuid"])
    with nothing_written(shop):
        response = apply(staff, pet_uuid=pet["uuid"], plan_version_id=opaque_id(PLAN_VERSION, 999999, schema_name=shop.schema_name), customer_uuid=customer["uuid"])
        assert error(response, 404) == {
            "code": "unknown_plan_version",
            "message": "This plan is not offered.",
            "fields": {"plan_version_id": ["Unknown plan version."]},
        }


def test_an_unknown_pet_is_a_field_error_and_every_unknown_input_is_named_at_once(shop, staff, other_staff):
    customer = customer_add(staff)
    pet = pet_add(staff, customer["uuid"])
    version = current_versions(staff)["basic"]["id"]
    elsewhere = pet_add(other_staff, customer_add(other_staff)["uuid"])
    with nothing_written(shop):
        alone = apply(staff, pet_uuid="00000000-0000-4000-8000-000000000000", plan_version_id=version,
                      customer_uuid=customer["uuid"])  # fmt: skip
        assert error(alone, 404) == UNKNOWN_PET
        # Another shop's pet is unknown here too.
        assert error(apply(staff, pet_uuid=elsewhere["uuid"], plan_version_id=version,
                           customer_uuid=customer["uuid"]), 404) == UNKNOWN_PET  # fmt: skip
        both = apply(staff, pet_uuid=elsewhere["uuid"], plan_version_id=opaque_id(PLAN_VERSION, 999999, schema_name=shop.schema_name), customer_uuid=customer["uuid"])
        assert error(both, 404) == {
            "code": "unknown_pet",
            "message": "Some fields are invalid.",
            "fields": {"pet_uuid": ["Unknown pet."], "plan_version_id": ["Unknown plan version."]},
        }
        nobody = apply(staff, pet_uuid=pet["uuid"], plan_version_id=version,
                       customer_uuid="00000000-0000-4000-8000-000000000000")  # fmt: skip
        assert error(nobody, 404) == {
            "code": "unknown_customer",
            "message": "No such customer at this shop.",
            "fields": {"customer_uuid": ["Unknown customer."]},
        }


def test_signing_twice_is_refused(shop, staff):
    uuid = draft(staff)["uuid"]
    first = signed(staff, uuid)
    with nothing_written(shop):
        assert error(sign(staff, uuid), 409) == {
            "code": "illegal_transition",
            "message": "A contract that is “Signed” cannot become “Signed”.",
            "fields": {},
        }
    assert ok(staff.get(contract_url(uuid)))["agreement_sha256"] == first["agreement_sha256"]


def test_signing_before_the_credit_check_is_refused(shop, staff):
    uuid = draft(staff)["uuid"]
    with nothing_written(shop):
        assert error(sign(staff, uuid), 409) == {
            "code": "illegal_transition",
            "message": "Run the credit check before signing: it decides the deposit.",
            "fields": {},
        }
    assert ok(staff.get(contract_url(uuid)))["status"] == "draft"


def test_a_pet_already_under_contract_is_refused(shop, staff):
    contract = draft(staff)
    basic_id = current_versions(staff)["basic"]["id"]
    with nothing_written(shop):
        again = apply(
            staff, pet_uuid=contract["pet_uuid"], plan_version_id=basic_id, customer_uuid=contract["customer_uuid"]
        )
        assert error(again, 409) == {
            "code": "pet_under_contract",
            "message": "This pet is already under an open contract.",
            "fields": {"pet_uuid": ["Already under contract."]},
        }


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"phone": "12345"}, 400, {"phone": ["Enter a mobile number such as 13800138000 or +85291234567."]}),
        ({"birth_date": "2026-03-17"}, 422, {"birth_date": ["The date of birth cannot be in the future."]}),
        ({"birth_date": "1990-02-30"}, 400, {
            "birth_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        }),
    ],
)  # fmt: skip
def test_invalid_customer_details_are_refused(shop, staff, body, status, fields):
    with nothing_written(shop):
        valid = {"name": "Wang Fang", "phone": phone_ending("999"), "birth_date": ADULT}
        response = staff.post("/api/v1/customers", {**valid, **body}, format="json")
        assert error(response, status)["fields"] == fields


def test_a_pet_born_tomorrow_is_refused(shop, staff):
    owner = customer_add(staff)["uuid"]
    with nothing_written(shop):
        body = {"owner_uuid": owner, "name": "Mimi", "species": "cat", "birthday": "2026-03-17"}
        assert error(staff.post("/api/v1/pets", body, format="json"), 422) == {
            "code": "impossible_date",
            "message": "The pet's details are invalid.",
            "fields": {"birthday": ["This date cannot be in the future."]},
        }


def test_the_pdf_exists_only_once_signed(shop, staff):
    uuid = draft(staff)["uuid"]
    not_signed = {"code": "not_signed", "message": "The agreement is not signed yet.", "fields": {}}
    assert error(staff.get(contract_url(uuid, "agreement.pdf")), 404) == not_signed
    # Asking for the PDF by its type: the error is still JSON, not a 406.
    refused = staff.get(contract_url(uuid, "agreement.pdf"), HTTP_ACCEPT="application/pdf")
    assert (refused.status_code, refused["Content-Type"], refused.json()) == (404, "application/json", not_signed)
    signed(staff, uuid)
    pdf = staff.get(contract_url(uuid, "agreement.pdf"), HTTP_ACCEPT="application/pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")


def test_a_customer_under_18_cannot_apply_and_one_of_18_today_can(shop, staff):
    eighteen_today = TODAY.replace(year=TODAY.year - 18)
    minor = customer_add(staff, birth_date=(eighteen_today + timedelta(days=1)).isoformat())  # 17 years 364 days
    adult = customer_add(staff, birth_date=eighteen_today.isoformat())
    basic_id = current_versions(staff)["basic"]["id"]

    pet = pet_add(staff, minor["uuid"])
    with nothing_written(shop):
        response = apply(staff, pet_uuid=pet["uuid"], plan_version_id=basic_id, customer_uuid=minor["uuid"])
        assert error(response, 422) == {
            "code": "customer_under_18",
            "message": "The adopter must be at least 18 years old to sign a plan.",
            "fields": {"customer": ["Under 18 on 2026-03-16."]},
        }
    pet = pet_add(staff, adult["uuid"])
    ok(apply(staff, pet_uuid=pet["uuid"], plan_version_id=basic_id, customer_uuid=adult["uuid"]), 201)


def test_an_invalid_sandbox_token_is_refused(shop, staff):
    uuid = draft(staff)["uuid"]
    signed(staff, uuid)
    with nothing_written(shop):
        assert error(attach(staff, uuid, token="tok_nope"), 422) == {
            "code": "invalid_payment_method",
            "message": "This is not a sandbox payment token.",
            "fields": {"token": ["This is not a sandbox payment token."]},
        }
        unknown_rail = staff.post(contract_url(uuid, "payment-method"), {"rail": "paypal", "token": "x"}, format="json")
        assert error(unknown_rail, 400)["fields"] == {"rail": ['"paypal" is not a valid choice.']}
    assert ok(staff.get(contract_url(uuid)))["payment_method"] is None


def test_an_active_contracts_payment_method_is_not_changed_nor_saved(shop, staff):
    uuid = draft(staff)["uuid"]
    active(staff, uuid)
    with nothing_written(shop):
        assert error(attach(staff, uuid, token="tok_hard_decline"), 409) == {
            "code": "illegal_transition",
            "message": "The payment method can only be chosen before the contract starts; this one is active.",
            "fields": {},
        }
    assert ok(staff.get(contract_url(uuid)))["payment_method"] == "Sandbox · success"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/contracts/not-a-uuid"),
        ("get", "/api/v1/contracts/1234/calendar"),
        ("post", "/api/v1/contracts/not-a-uuid/sign"),
        ("post", "/api/v1/contracts/00000000-0000-0000-0000-00000000000z/activate"),
        ("get", "/api/v1/no-such-thing"),
    ],
)
def test_malformed_addresses_answer_a_json_404(shop, staff, method, path):
    with nothing_written(shop):
        response = getattr(staff, method)(path)
        assert response["Content-Type"] == "application/json"
        assert error(response, 404) == NOT_FOUND


def test_an_unknown_contract_uuid_is_404(shop, staff):
    with nothing_written(shop):
        assert error(staff.get(contract_url("00000000-0000-0000-0000-000000000000")), 404) == NOT_FOUND


REQUIRED = ["This field is required."]


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/api/v1/customers", {"name": REQUIRED, "phone": REQUIRED, "birth_date": REQUIRED}),
        ("/api/v1/pets", {"name": REQUIRED, "species": REQUIRED}),
        ("/api/v1/contracts", {"pet_uuid": REQUIRED, "plan_version_id": REQUIRED}),
        ("/api/v1/customers/register", {
            "name": REQUIRED, "phone": REQUIRED, "birth_date": REQUIRED, "email": REQUIRED, "password": REQUIRED,
        }),
    ],
)  # fmt: skip
def test_missing_fields_are_listed(shop, staff, path, fields):
    with nothing_written(shop):
        assert error(staff.post(path, {}, format="json"), 400) == {
            "code": "invalid",
            "message": "Some fields are invalid.",
            "fields": fields,
        }


def test_missing_fields_of_contract_steps_are_listed(shop, staff):
    contract = draft(staff)
    uuid = contract["uuid"]
    ok(staff.post(contract_url(uuid, "credit-consent")))
    ok(staff.post(contract_url(uuid, "credit-check")))
    pet = pet_add(staff, contract["customer_uuid"])
    basic_id = current_versions(staff)["basic"]["id"]
    with nothing_written(shop):
        assert error(staff.post(contract_url(uuid, "sign"), {}, format="json"), 400)["fields"] == {
            "signer_name": REQUIRED
        }
        assert error(staff.post(contract_url(uuid, "payment-method"), {}, format="json"), 400)["fields"] == {
            "rail": REQUIRED,
            "token": REQUIRED,
        }
        assert error(staff.post(contract_url(uuid, "credit-score"), {}, format="json"), 400)["fields"] == {
            "score": REQUIRED,
            "evidence": REQUIRED,
        }
        # Staff apply on a customer's behalf, so they name the customer.
        without_customer = apply(staff, pet_uuid=pet["uuid"], plan_version_id=basic_id)
        assert error(without_customer, 422) == {
            "code": "customer_required",
            "message": "Staff apply on a customer's behalf: name the customer.",
            "fields": {"customer_uuid": REQUIRED},
        }


def test_a_blocked_shop_cannot_sign_and_says_why(shop, staff):
    uuid = draft(staff)["uuid"]
    ok(staff.post(contract_url(uuid, "credit-consent")))
    ok(staff.post(contract_url(uuid, "credit-check")))
    customer = customer_add(staff)
    pet = pet_add(staff, customer["uuid"])
    basic_id = current_versions(staff)["basic"]["id"]
    Shop.objects.filter(pk=shop.pk).update(risk_state=ShopRiskState.BLOCKED_NEW_SIGNINGS)

    blocked = {
        "code": "signing_blocked",
        "message": "New signings are blocked by the platform's risk controls.",
        "fields": {},
    }
    with nothing_written(shop):
        assert error(sign(staff, uuid), 422) == blocked
        response = apply(staff, pet_uuid=pet["uuid"], plan_version_id=basic_id, customer_uuid=customer["uuid"])
        assert error(response, 422) == blocked
    assert ok(staff.get(contract_url(uuid)))["status"] == "draft"


# --- 4. Isolation between shops -----------------------------------------------------------


def test_a_staff_token_of_one_shop_is_unknown_to_another(other_shop, shop_staff):
    response = api(other_shop, shop_staff.api_token).get("/api/v1/contracts")
    assert error(response, 401) == {"code": "authentication_failed", "message": "Invalid token.", "fields": {}}


def test_a_contract_of_one_shop_is_invisible_from_another(shop, staff, other_staff):
    uuid = draft(staff)["uuid"]
    active(staff, uuid)
    assert uuid not in [c["uuid"] for c in ok(other_staff.get("/api/v1/contracts"))["results"]]
    assert error(other_staff.get(contract_url(uuid)), 404) == NOT_FOUND
    assert error(other_staff.get(contract_url(uuid, "calendar")), 404) == NOT_FOUND
    assert error(other_staff.post(contract_url(uuid, "activate"), HTTP_IDEMPOTENCY_KEY="k"), 404) == NOT_FOUND


# --- 5. OpenAPI ---------------------------------------------------------------------------


BILLING_OPERATIONS = {
    "/api/v1/plans": {"get"},
    "/api/v1/plans/{plan_id}/versions": {"post"},
    "/api/v1/customers": {"get", "post"},
    "/api/v1/customers/register": {"post"},
    "/api/v1/pets": {"get", "post"},
    "/api/v1/contracts": {"get", "post"},
    "/api/v1/contracts/{uuid}": {"get", "patch"},
    "/api/v1/contracts/{uuid}/credit-check": {"post"},
    "/api/v1/contracts/{uuid}/credit-score": {"post"},
    "/api/v1/contracts/{uuid}/agreement": {"get"},
    "/api/v1/contracts/{uuid}/agreement.pdf": {"get"},
    "/api/v1/contracts/{uuid}/sign": {"post"},
    "/api/v1/contracts/{uuid}/payment-method": {"post"},
    "/api/v1/contracts/{uuid}/activate": {"post"},
    "/api/v1/contracts/{uuid}/calendar": {"get"},
}


def test_schema_documents_every_billing_operation(staff):
    response = staff.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = ok(response)["paths"]
    operations = {path: set(item) - {"parameters"} for path, item in paths.items() if path in BILLING_OPERATIONS}
    assert operations == BILLING_OPERATIONS
    assert not [path for path in paths if "*" in path or "^" in path]  # the JSON 404 catch-all stays out

    activate_parameters = paths["/api/v1/contracts/{uuid}/activate"]["post"]["parameters"]
    assert {"in": "header", "name": "Idempotency-Key", "required": True} in [
        {"in": p["in"], "name": p["name"], "required": p.get("required", False)} for p in activate_parameters
    ]
    assert "application/pdf" in paths["/api/v1/contracts/{uuid}/agreement.pdf"]["get"]["responses"]["200"]["content"]


def test_schema_validates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_the_applicant_records_consent_to_the_credit_check_once(shop, staff):
    from pawpact.billing.models import CreditConsent

    _, client = customer_register(shop)
    own = ok(
        apply(client, pet_uuid=pet_add(client)["uuid"], plan_version_id=current_versions(client)["basic"]["id"]), 201
    )["uuid"]
    consent = ok(client.post(contract_url(own, "credit-consent"), HTTP_ACCEPT_LANGUAGE="en"))
    assert consent["channel"] == "customer" and "reads my Zhima Credit score" in consent["text"]
    assert consent["text_sha256"] == hashlib.sha256(consent["text"].encode()).hexdigest()
    again = ok(staff.post(contract_url(own, "credit-consent"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert again == consent  # the first consent stands, in the words the applicant saw
    at_the_counter = ok(staff.post(contract_url(draft(staff, suffix="998")["uuid"], "credit-consent")))
    assert at_the_counter["channel"] == "in_person"
    with schema_context(shop.schema_name):
        assert CreditConsent.objects.count() == 2


def test_contracts_are_found_by_customer_pet_or_phone_and_by_day(staff):
    first = draft(staff, suffix="401")
    second = draft(staff, suffix="402")

    def found(query: str) -> list[str]:
        return [c["uuid"] for c in ok(staff.get(f"/api/v1/contracts?{query}"))["results"]]

    assert found("search=402") == [second["uuid"]]
    assert set(found("search=wang")) == {first["uuid"], second["uuid"]}
    assert set(found("search=mimi")) == {first["uuid"], second["uuid"]}
    assert found("search=nobody") == []
    today = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert set(found(f"created_from={today}&created_to={today}")) == {first["uuid"], second["uuid"]}
    assert found(f"created_from={today + timedelta(days=1)}") == []
    assert first["object"] == "contract"
    refused = error(staff.get(f"/api/v1/contracts?created_from={today}&created_to={today - timedelta(days=1)}"), 400)
    assert list(refused["fields"]) == ["created_to"]
    # An empty search box sends `search=`: no search, every contract.
    assert set(found("search=")) == {first["uuid"], second["uuid"]}
