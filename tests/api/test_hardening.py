"""Web hardening: password reset tells nobody whether an address is known (registration:
test_registration.py); invisible and text-direction characters are refused in names and free text; pages
carry a Content-Security-Policy and a Permissions-Policy; a Host header naming a port we do
not serve is refused."""
import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice, User
from pawpact.customers.models import Customer, Pet
from tests.conftest import SHOP_PASSWORD, host_of

NEW = {"email": "li@example.com", "password": "pawpact-li-2026", "name": "Li Na", "phone": "13800138417",
       "birth_date": "1995-04-01"}  # fmt: skip


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _counts(shop) -> tuple[int, int, int, int]:
    with schema_context(shop.schema_name):
        return User.objects.count(), Customer.objects.count(), Pet.objects.count(), ApiDevice.objects.count()


def _existing(shop):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("known@example.com", SHOP_PASSWORD, name="Known")
        Customer.objects.create(name="Known", phone="13900000001", birth_date="1990-01-01", user=user)


@pytest.mark.parametrize("email", ["known@example.com", "nobody@example.com"])
def test_password_reset_page_answers_the_same_for_any_address(shop, email):
    _existing(shop)
    response = Client(HTTP_HOST=host_of(shop)).post("/accounts/password/reset/", {"email": email})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/done/")


# --- invisible characters ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mo\u202echi", "Mo\u200bchi", "\u2066Mochi\u2069", "\ufeffMochi"])
def test_invisible_and_direction_characters_are_refused_in_names(shop, shop_staff, name):
    staff = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    before = _counts(shop)
    pet = staff.post("/api/v1/pets", {"name": name, "species": "cat"}, format="json")
    assert pet.status_code == 400
    assert pet.json()["fields"] == {"name": ["Remove the invisible or text-direction characters."]}
    customer = staff.post("/api/v1/customers", {"name": name, "phone": "13800000009", "birth_date": "1990-01-01"})
    assert customer.json()["fields"] == {"name": ["Remove the invisible or text-direction characters."]}
    assert _counts(shop) == before


def test_the_schema_states_the_refused_characters(api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    pattern = schema["components"]["schemas"]["PetInputRequest"]["properties"]["name"]["pattern"]
    assert re.fullmatch(pattern, "小白 Mochi") and not re.fullmatch(pattern, "Mo\u202echi")


def test_services_refuse_them_for_pages_too(shop):
    from pawpact.core.errors import ValidationFailed
    from pawpact.customers.services import customer_create

    with schema_context(shop.schema_name), pytest.raises(ValidationFailed) as refused:
        customer_create(name="Li\u200dNa", phone="13800000008", birth_date=__import__("datetime").date(1990, 1, 1))
    assert refused.value.fields == {"name": ["Remove the invisible or text-direction characters."]}
    assert _counts(shop)[1] == 0


def test_chinese_names_and_emoji_are_fine(shop, shop_staff):
    staff = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    assert staff.post("/api/v1/pets", {"name": "小白 🐱", "species": "cat"}, format="json").status_code == 201


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/plans/"])
def test_pages_carry_csp_and_permissions_policy(shop, path):
    response = Client(HTTP_HOST=host_of(shop)).get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=(self)" in response["Permissions-Policy"]
    assert " on" + "change=" not in response.content.decode() and " on" + "submit=" not in response.content.decode()


@override_settings(PAWPACT_HOST_PORTS=[])
@pytest.mark.parametrize(("port", "status"), [("", 200), (":8000", 200), (":443", 200), (":6666", 400)])
def test_a_host_header_with_a_port_we_do_not_serve_is_refused(shop, port, status):
    response = APIClient(HTTP_HOST=host_of(shop) + port).get("/api/v1/health")
    assert response.status_code == status
