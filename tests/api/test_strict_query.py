"""Nothing in a query string is silently ignored: a parameter the operation does not
document answers 400 `unknown_parameter`; one naming a shop 400 `shop_from_host`."""
import pytest
from rest_framework.test import APIClient

from pawpact.api.versioning import LATEST
from tests.conftest import host_of


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["shop=whisker-home", "tenant=beta", "shop_id=3", "schema=beta", "tenant_id=2"])
def test_a_parameter_naming_a_shop_answers_shop_from_host(shop, shop_staff, query):
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    for path in ("/api/v1/plans", "/api/v1/contracts", "/api/v1/customers"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, response.content)
        body = response.json()
        assert body["code"] == "shop_from_host"
        assert list(body["fields"]) == [query.split("=")[0]]


@pytest.mark.django_db
def test_an_undocumented_parameter_answers_unknown_parameter(shop, shop_staff):
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    response = client.get("/api/v1/plans?foo=bar&page_size=10")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"
    assert response.json()["fields"] == {"foo": ["Not a parameter of this operation."]}
    assert "page_size" in response.json()["message"]
    assert client.get("/api/v1/contracts?expand=customer").json()["code"] == "unknown_parameter"
    # Documented parameters still work, and the anonymous public list is checked the same way.
    assert client.get("/api/v1/plans?page_size=10").status_code == 200
    assert APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans?lang=en").status_code == 400


@pytest.mark.django_db
def test_the_refusal_is_in_the_callers_language(shop):
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans?foo=1", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"


@pytest.mark.django_db
def test_the_api_root_names_the_shop_version_and_docs(shop):
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert (body["object"], body["shop"], body["version"]) == ("api", shop.slug, LATEST)
    assert body["docs"].endswith("/api/v1/docs") and body["schema"].endswith("/api/v1/schema.json")
