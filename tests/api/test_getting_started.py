"""The getting-started journey of docs/api.md, call for call, as a frontend makes it: a new
customer, no deposit (the sandbox scores the phone ending 417 at 600), an active contract the
shop's server files its CRM id on and finds again. The guide is run twice on one database, as a
developer does, so its email and phone numbers must be new on each run."""
import random
import re
import uuid

from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.services import api_token_issue
from pawpact.billing.models import Contract
from pawpact.workspace.enums import Role
from tests.conftest import host_of, sandbox_sms_code
from tests.workspace.conftest import staff_user


def _key() -> str:
    return str(uuid.uuid4())


def _secret_key_client(shop) -> APIClient:
    """Step 0: the owner signs in and makes a secret key; the shop's server calls with it."""
    owner = APIClient(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        owner.credentials(HTTP_AUTHORIZATION="Token " + api_token_issue(user=staff_user(shop, Role.OWNER)))
    made = owner.post("/api/v1/api-keys", {"name": "my server"}, format="json")
    assert made.status_code == 201, made.content
    server = APIClient(HTTP_HOST=host_of(shop))
    server.credentials(HTTP_AUTHORIZATION="Bearer " + made.json()["secret"])
    return server


def _register(shop, run: str) -> APIClient:
    """Step 1: register by email and phone; the mailed code is read from the body, as the guide says."""
    email, phone = f"li.{run}@example.com", f"138{run}417"
    api = APIClient(HTTP_HOST=host_of(shop))
    started = api.post("/api/v1/customers/register", {
        "email": email, "password": "pawpact-li-2026", "name": "Li Na", "phone": phone, "birth_date": "1995-04-01",
    })  # fmt: skip
    assert started.status_code == 202, started.content
    code = re.search(r"Enter (\d{6}) to finish", mail.outbox[-1].body).group(1)
    sms_code = sandbox_sms_code(host_of(shop), phone)
    registered = api.post("/api/v1/customers/register/confirm", {"email": email, "code": code, "sms_code": sms_code})
    assert registered.status_code == 201, registered.content
    api.credentials(HTTP_AUTHORIZATION="Token " + registered.json()["token"])
    phone_first = APIClient(HTTP_HOST=host_of(shop))
    asked = phone_first.post("/api/v1/auth/sms/code", {"phone": f"139{run}418"}, format="json")
    assert asked.status_code == 202
    body = {"phone": f"139{run}418", "code": sandbox_sms_code(host_of(shop), f"139{run}418"), "name": "Zhao Lei",
            "birth_date": "1992-08-08"}  # fmt: skip
    signed = phone_first.post("/api/v1/auth/sms", body, format="json")
    assert (signed.status_code, signed.json()["registered"]) == (201, True)
    return api


def _journey(shop, server: APIClient, run: str) -> None:
    api = _register(shop, run)
    [anonymous_plans] = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans?code=basic").json()["results"]
    pet = api.post("/api/v1/pets", {"name": "Mochi", "species": "cat"}, HTTP_IDEMPOTENCY_KEY=_key()).json()
    body = {"pet_uuid": pet["uuid"], "plan_version_id": anonymous_plans["current_version"]["id"]}
    contract = api.post("/api/v1/contracts", body, HTTP_IDEMPOTENCY_KEY=_key()).json()
    url = f"/api/v1/contracts/{contract['uuid']}"
    assert api.post(f"{url}/credit-consent").status_code == 200  # the applicant agrees, on their own account
    checked = api.post(f"{url}/credit-check").json()
    assert (checked["credit_score"], checked["deposit_minor"]) == (600, 0)
    agreement = api.get(f"{url}/agreement").json()
    assert agreement["total_minor"] == 12 * 39900
    assert api.post(f"{url}/sign", {"signer_name": "Li Na"}).status_code == 200
    assert api.post(f"{url}/payment-method", {"rail": "sandbox", "token": "tok_success"}).status_code == 200
    activated = api.post(f"{url}/activate", HTTP_IDEMPOTENCY_KEY=_key())
    assert (activated.status_code, activated.json()["status"]) == (200, "active")
    calendar = api.get(f"{url}/calendar").json()["results"]
    assert [(period["number"], period["status"]) for period in calendar[:2]] == [(1, "paid"), (2, "scheduled")]
    me = api.get("/api/v1/me").json()
    filed = server.patch(url, {"metadata": {"crm_id": f"C-{run}"}}, format="json")  # step 5
    assert (filed.status_code, filed.json()["metadata"]) == (200, {"crm_id": f"C-{run}"})
    found = server.get(f"/api/v1/contracts?metadata[crm_id]=C-{run}&expand[]=customer").json()["results"]
    assert [(row["uuid"], row["customer"]["uuid"]) for row in found] == [(contract["uuid"], me["customer_uuid"])]


def test_the_documented_journey_runs_twice_and_ends_with_active_contracts(shop):
    cache.clear()
    server = _secret_key_client(shop)
    with schema_context(shop.schema_name):
        active_before = Contract.objects.filter(status="active").count()
    for run in random.sample(range(10**5), 2):
        _journey(shop, server, f"{run:05d}")
    with schema_context(shop.schema_name):
        assert Contract.objects.filter(status="active").count() == active_before + 2
