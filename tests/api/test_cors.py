"""Browsers may call a shop's API from the origins its owner allowed, and only from those:
no origin by default, one shop's origins never open another shop's API."""
import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiOrigin
from pawpact.workspace.enums import Role
from tests.conftest import host_of
from tests.workspace.conftest import staff_user

H5 = "https://h5.example.com"


def _client(shop, user=None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if user is not None:
        from pawpact.accounts.services import api_token_issue

        with schema_context(shop.schema_name):
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


def _preflight(shop, origin: str):
    return APIClient(HTTP_HOST=host_of(shop)).options(
        "/api/v1/plans", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, idempotency-key, content-type",
    )  # fmt: skip


@pytest.mark.django_db
def test_no_origin_is_allowed_by_default(shop):
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans", HTTP_ORIGIN=H5)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in _preflight(shop, H5)


@pytest.mark.django_db
def test_the_owner_allows_an_origin_for_their_shop_only(shop, other_shop):
    owner = staff_user(shop, Role.OWNER)
    added = _client(shop, owner).post("/api/v1/cors-origins", {"origin": "HTTPS://H5.Example.com:443/"}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["origin"] == H5 and added.json()["object"] == "api_origin"

    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans", HTTP_ORIGIN=H5)
    assert response["Access-Control-Allow-Origin"] == H5
    assert "Pawpact-Version" in response["Access-Control-Expose-Headers"]
    preflight = _preflight(shop, H5)
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == H5
    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    # Another origin, and the same origin at another shop, stay closed.
    assert "Access-Control-Allow-Origin" not in _preflight(shop, "https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in _preflight(other_shop, H5)
    # The shop's pages are never opened to other origins.
    assert "Access-Control-Allow-Origin" not in APIClient(HTTP_HOST=host_of(shop)).get("/", HTTP_ORIGIN=H5)

    listed = _client(shop, owner).get("/api/v1/cors-origins").json()["results"]
    assert [entry["origin"] for entry in listed] == [H5]
    removed = _client(shop, owner).delete(f"/api/v1/cors-origins/{listed[0]['id']}")
    assert removed.status_code == 204
    assert "Access-Control-Allow-Origin" not in _preflight(shop, H5)


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["http://h5.example.com", "https://h5.example.com/app", "https://*.example.com",
                                    "h5.example.com", "", "https://user@h5.example.com"])  # fmt: skip
def test_a_value_that_is_not_an_origin_is_refused_and_nothing_saved(shop, origin):
    response = _client(shop, staff_user(shop, Role.OWNER)).post("/api/v1/cors-origins", {"origin": origin}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in ("origin_invalid", "invalid")
    with schema_context(shop.schema_name):
        assert ApiOrigin.objects.count() == 0


@pytest.mark.django_db
def test_only_the_owner_sets_origins(shop):
    manager = staff_user(shop, Role.MANAGER)
    response = _client(shop, manager).post("/api/v1/cors-origins", {"origin": H5}, format="json")
    assert response.status_code == 403
    assert _client(shop, manager).get("/api/v1/cors-origins").status_code == 403
    with schema_context(shop.schema_name):
        assert ApiOrigin.objects.count() == 0


@pytest.mark.django_db
def test_a_duplicate_answers_409(shop):
    client = _client(shop, staff_user(shop, Role.OWNER))
    assert client.post("/api/v1/cors-origins", {"origin": H5}, format="json").status_code == 201
    again = client.post("/api/v1/cors-origins", {"origin": H5 + "/"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    with schema_context(shop.schema_name):
        assert ApiOrigin.objects.count() == 1
