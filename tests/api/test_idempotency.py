"""Idempotency-Key over HTTP: a retry replays without a second effect, a reused key with
another request is refused, a concurrent duplicate gets 409, keys are per credential and
per shop, and the schema says all of it."""
import hashlib

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.selectors import api_device_by_access_token
from pawpact.accounts.services import api_token_issue
from pawpact.api import idempotency
from pawpact.customers.models import Pet
from tests.conftest import SHOP_PASSWORD, host_of

PET = {"name": "Mochi", "species": "cat"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _staff(shop, email: str) -> APIClient:
    with schema_context(shop.schema_name):
        user = User.objects.create_user(email, SHOP_PASSWORD, is_staff=True)
        token = api_token_issue(user=user)
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _pets(shop) -> int:
    with schema_context(shop.schema_name):
        return Pet.objects.count()


def test_a_retry_with_the_same_key_creates_one_pet_and_replays_the_answer(shop):
    staff = _staff(shop, "idem@alpha.test")
    before = _pets(shop)
    first = staff.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY="pet-1")
    again = staff.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY="pet-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert first.get("Idempotent-Replayed") is None
    assert again["Idempotent-Replayed"] == "true"
    assert _pets(shop) == before + 1


def test_without_a_key_an_optional_operation_runs_each_time(shop):
    staff = _staff(shop, "idem@alpha.test")
    before = _pets(shop)
    assert staff.post("/api/v1/pets", PET).status_code == 201
    assert staff.post("/api/v1/pets", PET).status_code == 201
    assert _pets(shop) == before + 2


def test_the_same_key_with_another_body_or_operation_is_refused_and_writes_nothing(shop):
    staff = _staff(shop, "idem@alpha.test")
    assert staff.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    before = _pets(shop)
    other_body = staff.post("/api/v1/pets", {**PET, "name": "Tofu"}, HTTP_IDEMPOTENCY_KEY="k-1")
    other_operation = staff.post(
        "/api/v1/customers", {"name": "Li", "phone": "13700137000", "birth_date": "1990-01-01"},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )  # fmt: skip
    for response in (other_body, other_operation):
        assert response.status_code == 422
        assert response.json() == {
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was used for a different request; use a new key for a new request.",
            "fields": {"Idempotency-Key": ["Already used for a different request."]},
        }
    assert _pets(shop) == before


def test_a_duplicate_while_the_first_is_running_gets_409_and_writes_nothing(shop):
    staff = _staff(shop, "idem@alpha.test")
    before = _pets(shop)
    response = staff.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY="slow")
    token = staff._credentials["HTTP_AUTHORIZATION"].split()[1]
    with schema_context(shop.schema_name):  # cache keys carry the schema
        device = api_device_by_access_token(token=token).uuid
        cache_key = "idempotency:" + hashlib.sha256(f"device:{device}\x00slow".encode()).hexdigest()
        stored = cache.get(cache_key)
        # As if the first request were still running.
        cache.set(cache_key, {"fingerprint": stored["fingerprint"], "in_flight": True})
    duplicate = staff.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY="slow")
    assert response.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "idempotency_key_in_use"
    assert _pets(shop) == before + 1


def test_keys_are_per_credential_and_per_shop(shop, other_shop):
    alpha_one, alpha_two = _staff(shop, "one@alpha.test"), _staff(shop, "two@alpha.test")
    beta = _staff(other_shop, "one@beta.test")
    before_alpha, before_beta = _pets(shop), _pets(other_shop)
    for client in (alpha_one, alpha_two, beta):
        response = client.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY="shared")
        assert response.status_code == 201 and response.get("Idempotent-Replayed") is None
    assert (_pets(shop), _pets(other_shop)) == (before_alpha + 2, before_beta + 1)


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "two words"])
def test_a_malformed_key_is_refused(shop, key):
    staff = _staff(shop, "idem@alpha.test")
    before = _pets(shop)
    response = staff.post("/api/v1/pets", PET, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert _pets(shop) == before


def test_the_schema_documents_the_header_replays_and_429(api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    pets = schema["paths"]["/api/v1/pets"]["post"]
    activate = schema["paths"]["/api/v1/contracts/{uuid}/activate"]["post"]
    header = {p["name"]: p for p in pets["parameters"] if p["in"] == "header"}["Idempotency-Key"]
    assert not header.get("required") and header["schema"]["pattern"] == idempotency.IDEMPOTENCY_KEY_PATTERN
    assert {p["name"]: p for p in activate["parameters"]}["Idempotency-Key"]["required"] is True
    assert "Idempotent-Replayed" in pets["responses"]["201"]["headers"]
    assert "429" in schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    posts = [(path, item["post"]) for path, item in schema["paths"].items() if "post" in item]
    without = [path for path, post in posts if not any(p["name"] == "Idempotency-Key" for p in post.get("parameters", []))]
    # Signing in, out and up create no resource a retry could duplicate; a secret key is
    # shown once and never kept for a replay, so making or rolling one takes no key.
    assert sorted(without) == [
        "/api/v1/api-keys", "/api/v1/api-keys/{key_id}/roll", "/api/v1/auth/logout", "/api/v1/auth/refresh",
        "/api/v1/auth/sms", "/api/v1/auth/sms/code", "/api/v1/auth/token", "/api/v1/auth/wechat",
        "/api/v1/auth/wechat/link", "/api/v1/customers/register", "/api/v1/customers/register/confirm",
    ]  # fmt: skip
