from urllib.parse import urlsplit

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice, User
from pawpact.accounts.services import api_token_issue
from pawpact.api.errors import exception_handler
from pawpact.core.errors import Conflict
from tests.conftest import SHOP_PASSWORD, host_of

BAD_CREDENTIALS = {"code": "bad_credentials", "message": "Email or password is wrong.", "fields": {}}


def _user_with_token(shop, email: str, *, is_staff: bool) -> str:
    with schema_context(shop.schema_name):
        user = User.objects.create_user(email, SHOP_PASSWORD, is_staff=is_staff)
        return api_token_issue(user=user)


def _client(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _token_count(shop) -> int:
    with schema_context(shop.schema_name):
        return ApiDevice.objects.count()


# Health


def test_health_on_shop_host(api_client, shop):
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"object": "health", "status": "ok", "shop": shop.slug, "database": True}


def test_health_on_unknown_host_is_404(db):
    assert APIClient(HTTP_HOST="nope.localhost").get("/api/v1/health").status_code == 404


# Token


def test_token_for_right_password_signs_in_a_new_device(api_client, shop, shop_staff):
    tokens_before = _token_count(shop)
    response = api_client.post(
        "/api/v1/auth/token", {"email": shop_staff.email, "password": SHOP_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "token" and body["token"] != shop_staff.api_token
    assert _token_count(shop) == tokens_before + 1
    assert _client(shop, body["token"]).get("/api/v1/me").json()["email"] == shop_staff.email


def test_token_for_wrong_password_is_refused(api_client, shop, shop_staff):
    tokens_before = _token_count(shop)
    response = api_client.post("/api/v1/auth/token", {"email": shop_staff.email, "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS
    assert _token_count(shop) == tokens_before


def test_token_without_fields_lists_both(api_client, shop, shop_staff):
    tokens_before = _token_count(shop)
    response = api_client.post("/api/v1/auth/token", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are invalid.",
        "fields": {"email": ["This field is required."], "password": ["This field is required."]},
    }
    assert _token_count(shop) == tokens_before


# Me


def test_me_with_token(shop, shop_staff):
    response = _client(shop, shop_staff.api_token).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "object": "me", "customer_uuid": None, "email": shop_staff.email, "name": "Alpha staff", "phone": "", "is_staff": True
    }


def test_me_without_token_is_401(api_client):
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_me_with_garbage_token_is_401(shop):
    response = _client(shop, "not-a-token").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "Invalid token.", "fields": {}}


# Isolation between shops


def test_token_of_one_shop_is_unknown_to_another(other_shop, shop_staff):
    response = _client(other_shop, shop_staff.api_token).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_password_of_one_shop_is_unknown_to_another(other_shop, shop_staff):
    tokens_before = _token_count(other_shop)
    response = _client(other_shop).post(
        "/api/v1/auth/token", {"email": shop_staff.email, "password": SHOP_PASSWORD}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS
    assert _token_count(other_shop) == tokens_before


def test_staff_list_shows_only_own_shop(other_shop, shop_staff):
    token = _user_with_token(other_shop, "staff@beta.test", is_staff=True)
    response = _client(other_shop, token).get("/api/v1/staff")
    assert response.status_code == 200
    emails = [row["email"] for row in response.json()["results"]]
    assert sorted(emails) == ["owner@beta.test", "staff@beta.test"]


# Staff list and cursor pagination


def test_staff_list_pages_through_every_member_once(shop, shop_staff):
    for number in range(5):
        _user_with_token(shop, f"member{number}@alpha.test", is_staff=True)
    _user_with_token(shop, "customer@alpha.test", is_staff=False)
    client = _client(shop, shop_staff.api_token)

    page = client.get("/api/v1/staff", {"page_size": 2}).json()
    assert len(page["results"]) == 2
    assert page["next"] is not None
    assert set(page["results"][0]) == {"object", "id", "email", "name", "phone"}

    emails = [row["email"] for row in page["results"]]
    while page["next"]:
        next_url = urlsplit(page["next"])
        page = client.get(f"{next_url.path}?{next_url.query}").json()
        emails += [row["email"] for row in page["results"]]
    assert len(emails) == 7
    assert set(emails) == {
        "owner@alpha.test",
        "staff@alpha.test",
        *(f"member{number}@alpha.test" for number in range(5)),
    }


def test_staff_list_refuses_customers(shop):
    token = _user_with_token(shop, "customer@alpha.test", is_staff=False)
    response = _client(shop, token).get("/api/v1/staff")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "You do not have permission to perform this action.",
        "fields": {},
    }


def test_staff_list_without_token_is_401(api_client):
    response = api_client.get("/api/v1/staff")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# OpenAPI


def test_schema_lists_every_operation(api_client):
    response = api_client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/health", "/api/v1/auth/token", "/api/v1/me", "/api/v1/staff"} <= set(document["paths"])


def test_docs_are_served_without_a_cdn(api_client):
    response = api_client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn." not in html
    # The CSP refuses inline scripts without a nonce: every script of the page is a file.
    assert "script-src" in response["Content-Security-Policy"]
    assert "<script>" not in html.replace(" ", "")
    script = api_client.get("/api/v1/docs?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# Exception handler


def test_domain_error_keeps_its_status_and_shape():
    response = exception_handler(Conflict("x", fields={"slug": ["taken"]}), {})
    assert response.status_code == 409
    assert response.data == {"code": "conflict", "message": "x", "fields": {"slug": ["taken"]}}


def test_unknown_host_answers_the_api_in_english_by_default(db, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the site's default, which pages use
    response = APIClient(HTTP_HOST="nope.localhost").get("/api/v1/plans")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_unknown_host_answers_the_api_in_the_language_asked_for(db):
    response = APIClient(HTTP_HOST="nope.localhost").get("/api/v1/plans", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 404
    assert response.json()["message"] == "未找到。"


def test_unknown_host_pages_keep_the_site_language(db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = APIClient(HTTP_HOST="nope.localhost").get("/shop/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
