"""A customer acts for themself: naming another customer's id is refused (403 `forbidden`)
and creates nothing, instead of being silently replaced by their own."""
from datetime import date

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.api.opaque_ids import PLAN_VERSION, opaque_id
from pawpact.billing.models import Contract
from pawpact.customers.models import Pet
from pawpact.customers.services import customer_create, pet_create
from tests.conftest import SHOP_PASSWORD, host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers(shop):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("me@alpha.test", SHOP_PASSWORD, name="Me")
        me = customer_create(name="Me", phone="13900139011", birth_date=date(1990, 1, 1), user=user)
        other = customer_create(name="Other", phone="13900139012", birth_date=date(1990, 1, 1))
        pet = pet_create(owner=me, name="Mochi", species="cat")
        client = APIClient(HTTP_HOST=host_of(shop))
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client, me, other, pet


def test_a_pet_for_another_customer_is_refused(shop, two_customers):
    client, me, other, _pet = two_customers
    refused = client.post("/api/v1/pets", {"owner_uuid": str(other.uuid), "name": "Bun", "species": "cat"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden" and list(refused.json()["fields"]) == ["owner_uuid"]
    with schema_context(shop.schema_name):
        assert Pet.objects.filter(name="Bun").count() == 0
    # Their own id, or none, adds the pet for them.
    added = client.post("/api/v1/pets", {"owner_uuid": str(me.uuid), "name": "Bun", "species": "cat"}, format="json")
    assert added.status_code == 201 and added.json()["owner_uuid"] == str(me.uuid)


def test_a_contract_for_another_customer_is_refused(shop, two_customers):
    client, _me, other, pet = two_customers
    body = {"customer_uuid": str(other.uuid), "pet_uuid": str(pet.uuid), "plan_version_id": opaque_id(PLAN_VERSION, 1, schema_name=shop.schema_name)}
    refused = client.post("/api/v1/contracts", body, format="json")
    assert refused.status_code == 403
    assert list(refused.json()["fields"]) == ["customer_uuid"]
    with schema_context(shop.schema_name):
        assert Contract.objects.count() == 0


def test_an_empty_breed_means_no_breed_on_create_and_on_change(shop, two_customers):
    client, *_ = two_customers
    created = client.post("/api/v1/pets", {"name": "Bun", "species": "cat", "breed": ""}, format="json")
    assert created.status_code == 201 and created.json()["breed"] == ""
    changed = client.patch(f"/api/v1/pets/{created.json()['uuid']}", {"breed": ""}, format="json")
    assert changed.status_code == 200 and changed.json()["breed"] == ""
