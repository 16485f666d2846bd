"""A customer's optional email and message language: set by staff, by the customer's own
PATCH and at registration; one customer per email at a shop (in any letter case); bad input
writes nothing; another shop sees none of it."""
import re
from datetime import date

import pytest
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create
from tests.conftest import SHOP_PASSWORD, host_of, sandbox_sms_code


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _client(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _staff(shop) -> APIClient:
    with schema_context(shop.schema_name):
        user = User.objects.create_user("staff@alpha.test", SHOP_PASSWORD, is_staff=True)
        return _client(shop, api_token_issue(user=user))


def _body(**changes) -> dict:
    return {"name": "Wang Fang", "phone": "13800000001", "birth_date": "1990-05-05", **changes}


def test_staff_register_a_customer_with_email_and_language_and_a_taken_email_writes_nothing(shop):
    staff = _staff(shop)
    created = staff.post("/api/v1/customers", _body(email="Fang@Example.COM", language="en"), format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["email"], created.json()["language"]) == ("Fang@example.com", "en")
    taken = staff.post("/api/v1/customers", _body(phone="13800000002", email="fang@EXAMPLE.com"), format="json")
    assert (taken.status_code, taken.json()["code"], list(taken.json()["fields"])) == (409, "email_taken", ["email"])
    bad = staff.post("/api/v1/customers", _body(phone="13800000003", email="not-an-email"), format="json")
    assert (bad.status_code, bad.json()["code"], list(bad.json()["fields"])) == (400, "invalid", ["email"])
    wrong_language = staff.post("/api/v1/customers", _body(phone="13800000004", language="fr"), format="json")
    assert (wrong_language.status_code, list(wrong_language.json()["fields"])) == (400, ["language"])
    with schema_context(shop.schema_name):
        assert list(Customer.objects.values_list("phone", "email", "language")) == [
            ("13800000001", "Fang@example.com", "en")
        ]
    found = staff.get("/api/v1/customers", {"search": "FANG@example.com"}).json()["results"]
    assert [row["phone"] for row in found] == ["13800000001"]


def test_a_customer_sets_their_email_and_language_and_cannot_take_anothers(shop, other_shop):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("me@alpha.test", SHOP_PASSWORD, name="Wang Fang")
        me = customer_create(name="Wang Fang", phone="13800000001", birth_date=date(1990, 5, 5), user=user)
        customer_create(name="Li Lei", phone="13800000002", birth_date=date(1990, 5, 5), email="li@example.com")
        client = _client(shop, api_token_issue(user=user))
    changed = client.patch(f"/api/v1/customers/{me.uuid}", {"email": "fang@example.com", "language": "zh-hans"},
                           format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert (changed.json()["email"], changed.json()["language"]) == ("fang@example.com", "zh-hans")
    taken = client.patch(f"/api/v1/customers/{me.uuid}", {"email": "LI@example.com", "name": "Changed"}, format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "email_taken")
    with schema_context(shop.schema_name):
        saved = Customer.objects.get(pk=me.pk)
        assert (saved.name, saved.email, saved.language) == ("Wang Fang", "fang@example.com", "zh-hans")
    assert client.patch(f"/api/v1/customers/{me.uuid}", {"email": ""}, format="json").json()["email"] == ""
    # Another shop's staff token and host see nothing of it.
    with schema_context(other_shop.schema_name):
        staff = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        other = _client(other_shop, api_token_issue(user=staff))
    assert other.get(f"/api/v1/customers/{me.uuid}").status_code == 404
    assert other.get("/api/v1/customers", {"search": "li@example.com"}).json()["results"] == []
    assert other.patch(f"/api/v1/customers/{me.uuid}", {"email": "x@example.com"}, format="json").status_code == 404


def test_registration_keeps_the_email_and_the_accept_language(shop):
    client = _client(shop)
    body = {"name": "Tom Lee", "phone": "13800000005", "birth_date": "1990-05-05", "email": "tom@example.com",
            "password": "a-long-unusual-pass-9"}  # fmt: skip
    started = client.post("/api/v1/customers/register", body, format="json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert started.status_code == 202, started.content
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    confirmed = client.post("/api/v1/customers/register/confirm", {
        "email": "tom@example.com", "code": code, "sms_code": sandbox_sms_code(host_of(shop), "13800000005"),
    }, format="json", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                                      "Gecko) Chrome/120.0.0.0 Safari/537.36")  # fmt: skip
    assert confirmed.status_code == 201, confirmed.content
    customer = confirmed.json()["customer"]
    assert (customer["email"], customer["language"]) == ("tom@example.com", "en")
    client.credentials(HTTP_AUTHORIZATION="Token " + confirmed.json()["token"])
    assert [device["name"] for device in client.get("/api/v1/auth/devices").json()["results"]] == ["Chrome on Windows"]
